/** Running images with runc under the seed's hardened profile (`distill run`), and finding them again. */
export { prepareBundle, releaseBundle, writeSpec } from './bundle.ts';
export {
  type ContainerInfo,
  type ContainerOptions,
  type ContainerStatus,
  isActive,
  listContainers,
} from './containers.ts';
export * from './errors.ts';
export { checkArch, findRunc, hostArch, runcName } from './host.ts';
export {
  type RemoveOptions,
  type RemoveResult,
  removeContainers,
  type StopOptions,
  type StopResult,
  stopContainers,
} from './lifecycle.ts';
export { checkName, parseEnv, parseNetwork, parseVolume } from './options.ts';
export { type PruneOptions, type PruneResult, prune } from './prune.ts';
export { chainIds, ensureRootfs, rootfsStore, type UnpackedRootfs } from './rootfs.ts';
export { leasedRootfs } from './rootfs-lease.ts';
export {
  loadPrepared,
  type PreparedRun,
  prepareRun,
  type RunOptions,
  runImage,
  savePrepared,
  startRun,
} from './run.ts';
export { dockerDefaultSeccomp, kernelAtLeast, type OciSeccomp, seccompFor } from './seccomp.ts';
export {
  type BindVolume,
  MASKED_PATHS,
  mergeEnv,
  READONLY_PATHS,
  runtimeSpec,
  type SpecInput,
} from './spec.ts';
export * from './state.ts';
export { imageUser, type ProcessUser, parseGroup, resolveProcessUser } from './user.ts';
