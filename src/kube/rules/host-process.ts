/** Baseline "HostProcess": Windows pods may not run HostProcess containers. */
import { rec } from '../pod-specs.ts';
import { podSc, podScPath, type Rule, sc, scPath, type Violation, where } from './types.ts';

export const hostProcess: Rule = {
  id: 'pss-baseline-host-process',
  name: 'HostProcess',
  level: 'baseline',
  summary: 'windowsOptions.hostProcess (pod and containers) must be unset or false',
  check(pod) {
    const out: Violation[] = [];
    if (rec(podSc(pod).windowsOptions).hostProcess === true)
      out.push({
        path: podScPath(pod, 'windowsOptions', 'hostProcess'),
        message: 'the pod sets securityContext.windowsOptions.hostProcess: true',
      });
    for (const c of pod.containers)
      if (rec(sc(c).windowsOptions).hostProcess === true)
        out.push({
          path: scPath(c, 'windowsOptions', 'hostProcess'),
          message: `${where(c)} sets windowsOptions.hostProcess: true`,
          container: c.name,
        });
    return out;
  },
};
