/**
 * The read-only image model (after go-containerregistry's v1.Image / v1.Layer / v1.ImageIndex):
 * JSON documents are held parsed and raw (the raw bytes are what the digests name); layer
 * content is opened on demand as a stream and never held whole.
 */
import type { Readable } from 'node:stream';
import type { Digest } from './digest.ts';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest } from './types.ts';

/** Content named by a descriptor. */
export interface Blob {
  readonly descriptor: Descriptor;
  /** The stored bytes (compressed, for a compressed layer). Each call opens a new stream. */
  open(): Promise<Readable>;
}

/** A filesystem layer: its stored blob plus the digest of its uncompressed tar. */
export interface Layer extends Blob {
  readonly diffId: Digest;
  /** Bytes of the uncompressed tar, when known without reading the layer. */
  readonly uncompressedSize?: number;
}

export interface Image {
  readonly kind: 'image';
  /** The manifest's descriptor: its media type, digest and size (and platform, inside an index). */
  readonly descriptor: Descriptor;
  readonly manifest: ImageManifest;
  readonly rawManifest: Buffer;
  readonly config: ImageConfig;
  readonly rawConfig: Buffer;
  readonly layers: readonly Layer[];
}

export interface Index {
  readonly kind: 'index';
  readonly descriptor: Descriptor;
  readonly manifest: ImageIndex;
  readonly rawManifest: Buffer;
  /** The children, in the order of `manifest.manifests`. */
  readonly children: readonly (Image | Index)[];
}

/** An image or an index: what a reference names. */
export type Artifact = Image | Index;

/** Every image under an artifact, depth first, in manifest order. */
export function imagesOf(a: Artifact): Image[] {
  return a.kind === 'image' ? [a] : a.children.flatMap(imagesOf);
}
