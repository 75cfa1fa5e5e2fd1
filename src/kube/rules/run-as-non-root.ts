/**
 * Restricted "Running as Non-root": runAsNonRoot true at pod level, or on every container; a
 * container may leave it unset when the pod sets true, and no level may set false. A pod in a
 * user namespace (`hostUsers: false`) is exempt (v1.35+): its root is not the node's.
 */
import { userNamespaced } from './proc-mount.ts';
import { podSc, podScPath, type Rule, sc, scPath, type Violation, where } from './types.ts';

export const runAsNonRoot: Rule = {
  id: 'pss-restricted-running-as-non-root',
  name: 'Running as Non-root',
  level: 'restricted',
  summary: 'runAsNonRoot: true at pod level, or on every container (never false); hostUsers: false exempts',
  check(pod) {
    if (userNamespaced(pod)) return [];
    const out: Violation[] = [];
    const podValue = podSc(pod).runAsNonRoot;
    if (podValue !== undefined && podValue !== null && podValue !== true)
      out.push({ path: podScPath(pod, 'runAsNonRoot'), message: 'the pod sets runAsNonRoot: false' });
    for (const c of pod.containers) {
      const v = sc(c).runAsNonRoot;
      if (v !== undefined && v !== null && v !== true)
        out.push({
          path: scPath(c, 'runAsNonRoot'),
          message: `${where(c)} sets runAsNonRoot: false`,
          container: c.name,
        });
      else if (v !== true && podValue !== true)
        out.push({
          path: scPath(c, 'runAsNonRoot'),
          message: `${where(c)} may run as root: neither it nor the pod sets runAsNonRoot: true`,
          container: c.name,
        });
    }
    return out;
  },
};
