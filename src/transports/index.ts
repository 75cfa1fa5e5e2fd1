/**
 * Image transports, one interface each (parse, open as a source, write as a sink): `oci:` layouts,
 * `docker-archive:` tars, `docker://` registries, `docker-daemon:` the local Docker engine.
 */
export { archiveTag } from './docker-archive.ts';
export { DockerEngineError, type DockerEngineErrorCode, dockerSocket } from './docker-engine.ts';
export { writeLayoutChecked } from './oci-layout.ts';
export { openSource, parseImageRef, transports, writeSink } from './reference.ts';
export type { ImageRef, SinkOptions, SinkResult, SourceOptions, Transport } from './types.ts';
