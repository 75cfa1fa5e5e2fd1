/**
 * An image → its SBOM text: one streaming scan (only the files the inventory reads are kept),
 * the inventory, then the chosen writer. The document's time is SOURCE_DATE_EPOCH when set, else
 * the image's own `created`, else the epoch — never the clock — so two runs give the same bytes.
 */
import { formatPlatform, type Image, platformOf } from '../oci/index.ts';
import { sourceDateEpoch } from '../platform/index.ts';
import {
  type Inventory,
  type InventoryWarning,
  inventory,
  scanImage,
  wantForInventory,
} from '../scan/index.ts';
import { cyclonedxBom } from './cyclonedx.ts';
import { spdxDocument } from './spdx.ts';
import { DISTILL_TOOL, rfc3339, type SbomSubject, type SbomTool } from './subject.ts';

export const SBOM_FORMATS = ['spdx-json', 'cyclonedx-json'] as const;
export type SbomFormat = (typeof SBOM_FORMATS)[number];

export interface ImageSbomOptions {
  format: SbomFormat;
  /** What the user called the image; it names the document. */
  name: string;
  env?: Record<string, string | undefined>;
  tool?: SbomTool;
  onWarning?: (w: InventoryWarning) => void;
}

export interface ImageSbom {
  text: string;
  subject: SbomSubject;
  inventory: Inventory;
}

/** The document time: SOURCE_DATE_EPOCH, else the image's created (to the second), else 1970. */
export function sbomTime(image: Image, env: Record<string, string | undefined>): string {
  if (env.SOURCE_DATE_EPOCH !== undefined && env.SOURCE_DATE_EPOCH !== '')
    return rfc3339(sourceDateEpoch(env));
  const created = Date.parse(image.config.created ?? '');
  return rfc3339(Number.isNaN(created) ? 0 : Math.floor(created / 1000));
}

/** Serialises a document: two-space JSON and a final newline. */
export const serialise = (doc: object): string => `${JSON.stringify(doc, null, 2)}\n`;

/** Scans `image` and writes its SBOM in `format`. */
export async function imageSbom(image: Image, o: ImageSbomOptions): Promise<ImageSbom> {
  const files = await scanImage(image, { want: wantForInventory });
  return sbomOf(image, inventory(files, o.onWarning ? { onWarning: o.onWarning } : {}), o);
}

/**
 * The SBOM of an inventory already made — for a command that scans once for several purposes
 * (`distill audit` with `want: (p, s) => wantForInventory(p, s) || itsOwn(p, s)`).
 */
export function sbomOf(image: Image, inv: Inventory, o: Omit<ImageSbomOptions, 'onWarning'>): ImageSbom {
  const platform = image.descriptor.platform ?? platformOf(image.config);
  const subject: SbomSubject = {
    name: o.name,
    digest: image.descriptor.digest,
    platform: formatPlatform(platform),
    created: sbomTime(image, o.env ?? {}),
  };
  const tool = o.tool ?? DISTILL_TOOL;
  const doc = o.format === 'spdx-json' ? spdxDocument(subject, inv, tool) : cyclonedxBom(subject, inv, tool);
  return { text: serialise(doc), subject, inventory: inv };
}
