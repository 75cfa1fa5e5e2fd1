/**
 * One interface per transport, as ko's publishers and skopeo's transports have: each parses its
 * part of a reference (`NAME:REST`), opens it as a source and writes to it as a sink. The CLI
 * only turns flags into references.
 */
import type { Artifact } from '../oci/index.ts';
import type { PushResult, RegistryClientOptions } from '../registry/index.ts';

/** A parsed reference; `transport` picks the implementation. */
export type ImageRef =
  | { transport: 'oci'; dir: string; tag?: string }
  | { transport: 'docker-archive'; file: string; tag?: string; index?: number }
  | { transport: 'docker'; reference: string; tag?: string }
  | { transport: 'docker-daemon'; name: string };

type Env = Readonly<Record<string, string | undefined>>;

export interface SourceOptions {
  /** How registries are reached (credentials, fetch, events). Default: the machine's. */
  registry?: RegistryClientOptions;
  env?: Env;
}

export interface SinkOptions extends SourceOptions {
  /** The image's name when the reference gives none (docker-archive RepoTags `NAME:latest`). */
  defaultName?: string;
  /** Registry pushes: blobs at once, repositories to mount from. */
  jobs?: number;
  mountFrom?: readonly string[];
}

/** What a sink wrote, by kind (one field per transport). */
export interface SinkResult {
  layout?: { path: string; tag: string };
  archive?: { path: string; tags: string[] };
  push?: PushResult;
  /** What the Docker engine said it loaded (`Loaded image: app:latest`). */
  loaded?: string[];
}

export interface Transport<R extends ImageRef = ImageRef> {
  readonly name: R['transport'];
  /** Parses what follows `NAME:` (`whole` is the full reference, for messages). */
  parse(rest: string, whole: string): R;
  open(ref: R, o: SourceOptions): Promise<Artifact>;
  write(artifact: Artifact, ref: R, o: SinkOptions): Promise<SinkResult>;
}
