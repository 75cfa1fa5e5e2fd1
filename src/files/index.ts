/**
 * Files on the host, safely: temporary names that never outlive their run (temp-files.ts) and
 * content hashes remembered per stat stamp (file-hashes.ts). A leaf: it imports only node, so
 * oci/, platform/ and app/ can all use it.
 */
export { contentHashes, type FileHashes, openFileHashes } from './file-hashes.ts';
export {
  holdTemp,
  releaseTemp,
  removeHeldTemps,
  removeTempsOnSignals,
  sweepTemps,
  tempPath,
} from './temp-files.ts';
export { writeAside } from './write-aside.ts';
