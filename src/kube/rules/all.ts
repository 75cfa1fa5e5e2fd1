/** Every rule `distill kube lint` checks: the Pod Security Standards in the order the standard lists them, then the seed's. */
import { appArmor } from './apparmor.ts';
import { capabilitiesBaseline, capabilitiesRestricted } from './capabilities.ts';
import { hostNamespaces } from './host-namespaces.ts';
import { hostPathVolumes } from './host-path.ts';
import { hostPorts } from './host-ports.ts';
import { hostProbes } from './host-probes.ts';
import { hostProcess } from './host-process.ts';
import { privilegeEscalation } from './privilege-escalation.ts';
import { privilegedContainers } from './privileged.ts';
import { procMount, procMountRestricted } from './proc-mount.ts';
import { runAsNonRoot } from './run-as-non-root.ts';
import { runAsNonRootUser } from './run-as-user.ts';
import { seccompBaseline, seccompRestricted } from './seccomp.ts';
import { imageDigest, readOnlyRootFilesystem, resourceRequests } from './seed-profile.ts';
import { seLinux } from './selinux.ts';
import { sysctls } from './sysctls.ts';
import type { Rule } from './types.ts';
import { volumeTypes } from './volume-types.ts';

export const RULES: readonly Rule[] = [
  hostProcess,
  hostNamespaces,
  privilegedContainers,
  capabilitiesBaseline,
  hostPathVolumes,
  hostPorts,
  hostProbes,
  appArmor,
  seLinux,
  procMount,
  seccompBaseline,
  sysctls,
  volumeTypes,
  privilegeEscalation,
  runAsNonRoot,
  runAsNonRootUser,
  seccompRestricted,
  capabilitiesRestricted,
  procMountRestricted,
  readOnlyRootFilesystem,
  imageDigest,
  resourceRequests,
];
