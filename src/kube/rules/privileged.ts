/** Baseline "Privileged Containers": no container runs privileged. */
import type { Rule, Violation } from './types.ts';
import { sc, scPath, where } from './types.ts';

export const privilegedContainers: Rule = {
  id: 'pss-baseline-privileged-containers',
  name: 'Privileged Containers',
  level: 'baseline',
  summary: 'securityContext.privileged must be unset or false',
  check(pod) {
    const out: Violation[] = [];
    for (const c of pod.containers)
      if (sc(c).privileged === true)
        out.push({ path: scPath(c, 'privileged'), message: `${where(c)} is privileged`, container: c.name });
    return out;
  },
};
