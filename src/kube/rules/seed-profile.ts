/**
 * The seed's profile beyond the Pod Security Standards (section 4, and how distill deploys):
 * a read-only root filesystem, images pinned by digest, and resource requests. Ephemeral
 * containers cannot have resources, so that rule leaves them out.
 */
import { rec } from '../pod-specs.ts';
import { type Rule, sc, scPath, show, type Violation, where } from './types.ts';

export const readOnlyRootFilesystem: Rule = {
  id: 'seed-read-only-root-filesystem',
  name: 'Read-only Root Filesystem',
  level: 'seed',
  summary: 'securityContext.readOnlyRootFilesystem must be true on every container',
  check(pod) {
    const out: Violation[] = [];
    for (const c of pod.containers)
      if (sc(c).readOnlyRootFilesystem !== true)
        out.push({
          path: scPath(c, 'readOnlyRootFilesystem'),
          message: `${where(c)} can write to its root filesystem (readOnlyRootFilesystem: true, and emptyDir volumes where it writes)`,
          container: c.name,
        });
    return out;
  },
};

const DIGEST = /@sha256:[a-f0-9]{64}$/;

export const imageDigest: Rule = {
  id: 'seed-image-digest',
  name: 'Image by Digest',
  level: 'seed',
  summary: 'every image is referenced by digest (NAME@sha256:…)',
  check(pod) {
    const out: Violation[] = [];
    for (const c of pod.containers)
      if (typeof c.value.image !== 'string' || !DIGEST.test(c.value.image))
        out.push({
          path: [...c.path, 'image'],
          message: `${where(c)} image ${show(c.value.image)} is not pinned by digest (NAME@sha256:…)`,
          container: c.name,
        });
    return out;
  },
};

export const resourceRequests: Rule = {
  id: 'seed-resource-requests',
  name: 'Resource Requests',
  level: 'seed',
  summary: 'containers and init containers request cpu and memory',
  check(pod) {
    const out: Violation[] = [];
    for (const c of pod.containers) {
      if (c.list === 'ephemeralContainers') continue;
      const req = rec(rec(c.value.resources).requests);
      const missing = ['cpu', 'memory'].filter(
        (k) => req[k] === undefined || req[k] === null || req[k] === '',
      );
      if (missing.length)
        out.push({
          path: [...c.path, 'resources', 'requests'],
          message: `${where(c)} requests no ${missing.join(' and no ')} (resources.requests)`,
          container: c.name,
        });
    }
    return out;
  },
};
