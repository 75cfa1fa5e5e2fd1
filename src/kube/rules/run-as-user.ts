/**
 * Restricted "Running as Non-root user" (v1.23+): runAsUser, where set, is not 0. A pod in a user
 * namespace (`hostUsers: false`) is exempt (v1.35+).
 */
import { userNamespaced } from './proc-mount.ts';
import { podSc, podScPath, type Rule, sc, scPath, type Violation, where } from './types.ts';

export const runAsNonRootUser: Rule = {
  id: 'pss-restricted-running-as-non-root-user',
  name: 'Running as Non-root user',
  level: 'restricted',
  summary: 'runAsUser (pod and containers) must be unset or non-zero; hostUsers: false exempts',
  check(pod) {
    if (userNamespaced(pod)) return [];
    const out: Violation[] = [];
    if (podSc(pod).runAsUser === 0)
      out.push({ path: podScPath(pod, 'runAsUser'), message: 'the pod sets runAsUser: 0 (root)' });
    for (const c of pod.containers)
      if (sc(c).runAsUser === 0)
        out.push({
          path: scPath(c, 'runAsUser'),
          message: `${where(c)} sets runAsUser: 0 (root)`,
          container: c.name,
        });
    return out;
  },
};
