/**
 * Where attached signatures and attestations live. A store is bound to one image (its
 * descriptor and the name cosign signs it under) and reads or writes its `.sig` / `.att`
 * images; the registry and OCI-layout stores implement it.
 */
import type { Artifact, Descriptor } from '../oci/index.ts';
import type { AttachedKind, AttachedLayer } from './attached.ts';

export interface WriteAttachedResult {
  /** Where the attached image went (`host/repo:sha256-….sig`, or `oci:DIR` entry). */
  location: string;
  digest: string;
  /** The OCI 1.1 referrer pushed as well (registries with the referrers API). */
  referrer?: string;
  /** Layers in the attached image now, and how many this write added. */
  layers: number;
  added: number;
}

export interface AttachedStore {
  /** The signed image (manifest or index) as stored. */
  readonly subject: Descriptor;
  /** The image itself, when the store has read it (for an SBOM of it). */
  readonly artifact?: Artifact;
  /** `host/repo` (cosign's docker-reference and in-toto subject name). */
  readonly name: string;
  /** Human-readable place, for messages. */
  readonly where: string;
  read(kind: AttachedKind): Promise<AttachedLayer[]>;
  /** Writes `layers` (the existing ones, plus new ones) as the image's attached image of `kind`. */
  write(kind: AttachedKind, layers: readonly AttachedLayer[], added: number): Promise<WriteAttachedResult>;
}
