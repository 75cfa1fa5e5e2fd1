/** Baseline "HostPath Volumes": no volume mounts a path of the node. */
import { arr, rec } from '../pod-specs.ts';
import type { Rule, Violation } from './types.ts';

export const hostPathVolumes: Rule = {
  id: 'pss-baseline-hostpath-volumes',
  name: 'HostPath Volumes',
  level: 'baseline',
  summary: 'volumes[*].hostPath must be unset',
  check(pod) {
    const out: Violation[] = [];
    arr(pod.spec.volumes).forEach((v, i) => {
      const vol = rec(v);
      if (vol.hostPath !== undefined && vol.hostPath !== null)
        out.push({
          path: [...pod.specPath, 'volumes', i, 'hostPath'],
          message: `volume ${JSON.stringify(vol.name ?? i)} is a hostPath volume`,
        });
    });
    return out;
  },
};
