/**
 * "/proc Mount Type": the default /proc masks stay (procMount unset or Default). Pod Security
 * Admission (v1.35+) relaxes the baseline control for pods in a user namespace (`hostUsers:
 * false`) and adds the same control to restricted without that relaxation; so restricted reports
 * it for those pods, baseline for all others.
 */
import type { PodTarget } from '../pod-specs.ts';
import { type Rule, sc, scPath, show, type Violation, where } from './types.ts';

/** `hostUsers: false`: the pod has its own user namespace (the standard relaxes some controls). */
export const userNamespaced = (pod: PodTarget): boolean => pod.spec.hostUsers === false;

function unmasked(pod: PodTarget): Violation[] {
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
}

export const procMount: Rule = {
  id: 'pss-baseline-proc-mount-type',
  name: '/proc Mount Type',
  level: 'baseline',
  summary: 'securityContext.procMount must be unset or Default (pods with hostUsers: false are exempt)',
  check: (pod) => (userNamespaced(pod) ? [] : unmasked(pod)),
};

export const procMountRestricted: Rule = {
  id: 'pss-restricted-proc-mount-type',
  name: '/proc Mount Type',
  level: 'restricted',
  summary: 'securityContext.procMount must be unset or Default, in a user namespace too (v1.35+)',
  check: (pod) => (userNamespaced(pod) ? unmasked(pod) : []),
};
