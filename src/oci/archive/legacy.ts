/**
 * The pre-1.10 parts of a docker-archive that skopeo and `docker save` still write: one
 * `<id>/{VERSION,json,layer.tar}` directory per layer and a `repositories` file naming the top
 * one. Docker ≥ 1.10 loads from manifest.json and ignores them; they are kept for old readers.
 * IDs are chained over the diffIDs and the config digest, so they are unique per image and
 * cannot form a loop through `parent`.
 */
import { canonicalBytes } from '../canonical-json.ts';
import { digestHex, sha256 } from '../digest.ts';
import type { Image } from '../image.ts';

export interface LegacyLayer {
  id: string;
  /** `<id>/json` */
  json: Buffer;
  /** The layer file `<id>/layer.tar` links to, relative to the archive root. */
  layerFile: string;
}

/** The legacy directories of an image whose layers are stored as `layerFiles[i]`. */
export function legacyLayers(img: Image, layerFiles: readonly string[]): LegacyLayer[] {
  const out: LegacyLayer[] = [];
  let parent: string | undefined;
  for (const [i, l] of img.layers.entries()) {
    const id = digestHex(sha256(`${parent ?? ''} ${l.diffId} ${img.manifest.config.digest}`));
    const last = i === img.layers.length - 1;
    const json = canonicalBytes({
      id,
      ...(parent ? { parent } : {}),
      created: img.config.created ?? '1970-01-01T00:00:00Z',
      os: img.config.os,
      architecture: img.config.architecture,
      ...(last && img.config.config ? { config: img.config.config } : {}),
    });
    out.push({ id, json, layerFile: layerFiles[i] ?? '' });
    parent = id;
  }
  return out;
}
