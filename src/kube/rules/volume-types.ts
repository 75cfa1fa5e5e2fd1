/**
 * Restricted "Volume Types": inline volumes only of the kinds that bring no node access —
 * configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret —
 * and `image` (read-only OCI image volumes, which Pod Security Admission admits since v1.33).
 */
import { arr, rec } from '../pod-specs.ts';
import type { Rule, Violation } from './types.ts';

export const RESTRICTED_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

export const volumeTypes: Rule = {
  id: 'pss-restricted-volume-types',
  name: 'Volume Types',
  level: 'restricted',
  summary: `volumes only of types ${[...RESTRICTED_VOLUMES].join(', ')}`,
  check(pod) {
    const out: Violation[] = [];
    arr(pod.spec.volumes).forEach((v, i) => {
      const vol = rec(v);
      for (const [key, value] of Object.entries(vol)) {
        if (key === 'name' || value === null || value === undefined || RESTRICTED_VOLUMES.has(key)) continue;
        out.push({
          path: [...pod.specPath, 'volumes', i, key],
          message: `volume ${JSON.stringify(vol.name ?? i)} is of type ${key}`,
        });
      }
    });
    return out;
  },
};
