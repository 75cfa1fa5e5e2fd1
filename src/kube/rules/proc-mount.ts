/** Baseline "/proc Mount Type": the default /proc masks stay (procMount unset or Default). */
import { type Rule, sc, scPath, show, type Violation, where } from './types.ts';

export const procMount: Rule = {
  id: 'pss-baseline-proc-mount-type',
  name: '/proc Mount Type',
  level: 'baseline',
  summary: 'securityContext.procMount must be unset or Default',
  check(pod) {
    const out: Violation[] = [];
    for (const c of pod.containers) {
      const v = sc(c).procMount;
      if (v !== undefined && v !== null && v !== 'Default')
        out.push({
          path: scPath(c, 'procMount'),
          message: `${where(c)} sets procMount ${show(v)}`,
          container: c.name,
        });
    }
    return out;
  },
};
