/**
 * "Capabilities", at both levels. Baseline: `add` only from the default set of container
 * runtimes that the standard lists. Restricted (v1.22+): `drop` includes ALL and `add` is at
 * most NET_BIND_SERVICE; Windows pods are exempt.
 */
import { arr, rec } from '../pod-specs.ts';
import { type Rule, sc, scPath, show, type Violation, where } from './types.ts';

/** The baseline standard's allowed additions. */
export const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

export const capabilitiesBaseline: Rule = {
  id: 'pss-baseline-capabilities',
  name: 'Capabilities',
  level: 'baseline',
  summary: `capabilities.add only from ${[...BASELINE_CAPABILITIES].join(', ')}`,
  check(pod) {
    const out: Violation[] = [];
    for (const c of pod.containers)
      arr(rec(sc(c).capabilities).add).forEach((cap, i) => {
        if (!BASELINE_CAPABILITIES.has(cap as string))
          out.push({
            path: scPath(c, 'capabilities', 'add', i),
            message: `${where(c)} adds capability ${show(cap)}, which is not in the baseline set`,
            container: c.name,
          });
      });
    return out;
  },
};

export const capabilitiesRestricted: Rule = {
  id: 'pss-restricted-capabilities',
  name: 'Capabilities',
  level: 'restricted',
  summary: 'capabilities.drop must include "ALL"; capabilities.add may only be NET_BIND_SERVICE',
  check(pod) {
    if (pod.windows) return [];
    const out: Violation[] = [];
    for (const c of pod.containers) {
      const caps = rec(sc(c).capabilities);
      if (!arr(caps.drop).includes('ALL'))
        out.push({
          path: scPath(c, 'capabilities', 'drop'),
          message: `${where(c)} does not drop ALL capabilities (securityContext.capabilities.drop: ["ALL"])`,
          container: c.name,
        });
      arr(caps.add).forEach((cap, i) => {
        if (cap !== 'NET_BIND_SERVICE')
          out.push({
            path: scPath(c, 'capabilities', 'add', i),
            message: `${where(c)} adds capability ${show(cap)}: only NET_BIND_SERVICE may be added`,
            container: c.name,
          });
      });
    }
    return out;
  },
};
