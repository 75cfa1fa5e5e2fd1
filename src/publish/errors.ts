/** Errors of `distill publish`: bad selections and shards, and shards that never pushed their part. */
import { CodedError } from '../coded-error.ts';

export type PublishErrorCode =
  /** `--registry` is not HOST[/PREFIX] (a registry host, then repository path parts). */
  | 'PUBLISH_REGISTRY_INVALID'
  /** `--shard` is not N/M with 1 ≤ N ≤ M. */
  | 'PUBLISH_SHARD_INVALID'
  /** An image, release, architecture or variant the catalogue does not have, or an empty matrix. */
  | 'PUBLISH_SELECTION_INVALID'
  /** `--stamp` cannot be part of a tag. */
  | 'PUBLISH_STAMP_INVALID'
  /** An index's owner waited in vain for a per-architecture tag another shard should have pushed. */
  | 'PUBLISH_SHARD_TIMEOUT';

export class PublishError extends CodedError<PublishErrorCode> {
  override readonly name = 'PublishError';
}
