/**
 * OCI image layout source and sink (`oci:DIR[:TAG]`): oci-layout, index.json with ref names,
 * blobs/sha256. Errors are OciError with the codes in ../errors.ts.
 * @module
 */
export type { LayoutEvent } from './blob-writer.ts';
export { readLayout, readLayoutEntry, readLayoutIndex } from './read.ts';
export {
  type LayoutEntry,
  mergeIndex,
  type WriteLayoutOptions,
  type WriteLayoutResult,
  writeLayout,
} from './write.ts';
