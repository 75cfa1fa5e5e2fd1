/**
 * Baseline "AppArmor": the profile is the runtime's default or a node-local one — never
 * Unconfined — in securityContext.appArmorProfile (pod and containers) and in the older
 * `container.apparmor.security.beta.kubernetes.io/*` annotations.
 */
import { rec } from '../pod-specs.ts';
import { podSc, podScPath, type Rule, sc, scPath, show, type Violation, where } from './types.ts';

const TYPES = new Set(['RuntimeDefault', 'Localhost']);
const ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

export const appArmor: Rule = {
  id: 'pss-baseline-apparmor',
  name: 'AppArmor',
  level: 'baseline',
  summary:
    'appArmorProfile.type unset, RuntimeDefault or Localhost; AppArmor annotations unset, "", runtime/default or localhost/*',
  check(pod) {
    const out: Violation[] = [];
    const type = rec(podSc(pod).appArmorProfile).type;
    if (type !== undefined && type !== null && !TYPES.has(type as string))
      out.push({
        path: podScPath(pod, 'appArmorProfile', 'type'),
        message: `the pod's AppArmor profile is ${show(type)}`,
      });
    for (const c of pod.containers) {
      const t = rec(sc(c).appArmorProfile).type;
      if (t !== undefined && t !== null && !TYPES.has(t as string))
        out.push({
          path: scPath(c, 'appArmorProfile', 'type'),
          message: `${where(c)} has AppArmor profile ${show(t)}`,
          container: c.name,
        });
    }
    for (const [key, value] of Object.entries(rec(pod.meta.annotations))) {
      if (!key.startsWith(ANNOTATION)) continue;
      if (
        value === '' ||
        value === 'runtime/default' ||
        (typeof value === 'string' && value.startsWith('localhost/'))
      )
        continue;
      out.push({
        path: [...pod.metaPath, 'annotations', key],
        message: `annotation ${key} is ${show(value)}`,
        container: key.slice(ANNOTATION.length),
      });
    }
    return out;
  },
};
