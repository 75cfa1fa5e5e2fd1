/**
 * @module npm — the npm registry as a source: configuration discovery (registry and credentials
 * from the user's npm config), a small registry client, and the Node.js runtime of the nodejsNN images.
 */
export { authorizationFor, nerfDart } from './auth.ts';
export {
  type ConfigLayer,
  discoverNpmConfig,
  type Env,
  envSettings,
  type NpmConfig,
  type NpmConfigSources,
  normaliseRegistry,
} from './config.ts';
export { NpmError, type NpmErrorCode } from './errors.ts';
export { expandEnv, type IniValue, parseIni } from './ini.ts';
export { parseIntegrity, type SriCheck, verifyIntegrity } from './integrity.ts';
export { NODE_LIBRARY_PACKAGES, type NodeLibraries, nodeLibraryPackages } from './node-libraries.ts';
export {
  isoDay,
  NODE_MAJORS,
  type NodeMajor,
  type NodeMajorPhase,
  type NodeMajorStatus,
  nodeMajor,
  nodeMajorStatus,
} from './node-majors.ts';
export {
  checkArch,
  checkMajor,
  NODE_PACKAGES,
  type NodeArch,
  type NodeRuntimeEvent,
  type NodeRuntimeLock,
  type ResolveAllOptions,
  type ResolveOptions,
  resolveNodeRuntime,
  resolveNodeRuntimes,
} from './node-resolve.ts';
export {
  type FetchOptions,
  fetchNodeRuntime,
  NODE_ENTRYPOINT,
  type NodeRuntime,
  type NodeRuntimeOptions,
  nodeLayerEntries,
  nodeRuntime,
} from './node-runtime.ts';
export { askNpmCli, nodeConfigSources } from './node-sources.ts';
export {
  type CachedFile,
  cachedNodeFiles,
  extractNodeFiles,
  type NodeElf,
  type NodeFiles,
} from './node-tarball.ts';
export {
  type CachedTarball,
  type DownloadOptions,
  downloadTarball,
  fetchPackument,
  type Packument,
  type PackumentVersion,
  packumentUrl,
  type RegistryEvent,
  type RegistryOptions,
} from './registry-client.ts';
export { newestOfMajor, parseRelease } from './semver.ts';
