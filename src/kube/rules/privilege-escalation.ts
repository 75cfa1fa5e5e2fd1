/**
 * Restricted "Privilege Escalation" (v1.8+): every container sets allowPrivilegeEscalation: false
 * (unset is not enough); Windows pods are exempt.
 */
import { type Rule, sc, scPath, show, type Violation, where } from './types.ts';

export const privilegeEscalation: Rule = {
  id: 'pss-restricted-privilege-escalation',
  name: 'Privilege Escalation',
  level: 'restricted',
  summary: 'securityContext.allowPrivilegeEscalation must be false on every container',
  check(pod) {
    if (pod.windows) return [];
    const out: Violation[] = [];
    for (const c of pod.containers) {
      const v = sc(c).allowPrivilegeEscalation;
      if (v !== false)
        out.push({
          path: scPath(c, 'allowPrivilegeEscalation'),
          message:
            v === undefined || v === null
              ? `${where(c)} does not set allowPrivilegeEscalation: false`
              : `${where(c)} sets allowPrivilegeEscalation: ${show(v)}`,
          container: c.name,
        });
    }
    return out;
  },
};
