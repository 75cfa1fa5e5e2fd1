/**
 * "Seccomp", at both levels. Baseline: the profile is never Unconfined. Restricted (v1.19+): it is
 * RuntimeDefault or Localhost — set at pod level, or else on every container (a container's own
 * setting, when present, must be one of the two as well); Windows pods are exempt.
 */
import { rec } from '../pod-specs.ts';
import { podSc, podScPath, type Rule, sc, scPath, show, type Violation, where } from './types.ts';

const ALLOWED = new Set(['RuntimeDefault', 'Localhost']);
const typeOf = (scx: Record<string, unknown>) => rec(scx.seccompProfile).type;

export const seccompBaseline: Rule = {
  id: 'pss-baseline-seccomp',
  name: 'Seccomp',
  level: 'baseline',
  summary: 'seccompProfile.type (pod and containers) must not be Unconfined',
  check(pod) {
    const out: Violation[] = [];
    if (typeOf(podSc(pod)) === 'Unconfined')
      out.push({
        path: podScPath(pod, 'seccompProfile', 'type'),
        message: 'the pod is Unconfined by seccomp',
      });
    for (const c of pod.containers)
      if (typeOf(sc(c)) === 'Unconfined')
        out.push({
          path: scPath(c, 'seccompProfile', 'type'),
          message: `${where(c)} is Unconfined by seccomp`,
          container: c.name,
        });
    return out;
  },
};

export const seccompRestricted: Rule = {
  id: 'pss-restricted-seccomp',
  name: 'Seccomp',
  level: 'restricted',
  summary: 'seccompProfile.type RuntimeDefault or Localhost at pod level, or on every container',
  check(pod) {
    if (pod.windows) return [];
    const out: Violation[] = [];
    const podType = typeOf(podSc(pod));
    const podSet = podType !== undefined && podType !== null;
    if (podSet && !ALLOWED.has(podType as string))
      out.push({
        path: podScPath(pod, 'seccompProfile', 'type'),
        message: `the pod's seccomp profile is ${show(podType)}, not RuntimeDefault or Localhost`,
      });
    for (const c of pod.containers) {
      const t = typeOf(sc(c));
      if (t !== undefined && t !== null) {
        if (!ALLOWED.has(t as string))
          out.push({
            path: scPath(c, 'seccompProfile', 'type'),
            message: `${where(c)} has seccomp profile ${show(t)}, not RuntimeDefault or Localhost`,
            container: c.name,
          });
      } else if (!podSet)
        out.push({
          path: scPath(c, 'seccompProfile', 'type'),
          message: `${where(c)} has no seccomp profile and the pod sets none (seccompProfile.type: RuntimeDefault)`,
          container: c.name,
        });
    }
    return out;
  },
};
