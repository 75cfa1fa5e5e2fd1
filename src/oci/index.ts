/** The OCI image model: types, digests, read-only Image/Layer/Index, constructors, validation. */
export * from './blobs.ts';
export * from './build.ts';
export * from './canonical-json.ts';
export * from './compression.ts';
export * from './digest.ts';
export * from './errors.ts';
export * from './image.ts';
export * from './media-types.ts';
export * from './platform.ts';
export * from './tar/dir-entries.ts';
export * from './tar/entry.ts';
export * from './tar/header.ts';
export * from './tar/layer-writer.ts';
export * from './tar/normalize.ts';
export * from './tar/writer.ts';
export * from './types.ts';
export * from './validate.ts';
