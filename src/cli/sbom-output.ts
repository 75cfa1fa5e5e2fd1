/**
 * `--sbom` of `distill base` and `distill build`: an SPDX 2.3 JSON SBOM of what was just built,
 * beside it. Inside the OCI layout directory as `sbom.spdx.json` (one file per platform,
 * `sbom.OS-ARCH[-VARIANT].spdx.json`, when the build is an index); the layout's index.json does not
 * list it, so OCI tools ignore it. With no layout output, next to --archive as `FILE.spdx.json`.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { type Artifact, formatPlatform, imagesOf, platformOf } from '../oci/index.ts';
import { imageSbom, writeSbomFile } from '../sbom/index.ts';
import type { Output } from './console-output.ts';
import { UsageError } from './errors.ts';
import { type OutputOptions, outputRefs } from './output-flags.ts';
import { distillTool } from './tool.ts';

export interface SbomFlag {
  sbom?: boolean;
}

export function addSbomFlag(cmd: Command): Command {
  return cmd.option(
    '--sbom',
    'also write an SPDX 2.3 SBOM: sbom.spdx.json inside the --output layout, else FILE.spdx.json next to --archive',
  );
}

/** Where the SBOM(s) go for these flags; a usage error (before any build) when there is no place. */
export function sbomPlace(o: OutputOptions & SbomFlag, defaultName: string): string | undefined {
  if (!o.sbom) return undefined;
  const layout = outputRefs(o, defaultName).find((r) => r.transport === 'oci');
  if (layout && 'dir' in layout) return `${layout.dir}/`;
  if (o.archive && o.archive !== '-' && !o.archive.startsWith('/dev/')) return `${o.archive}.spdx.json`;
  throw new UsageError('--sbom writes next to the image: give --output DIR or --archive FILE as well');
}

/** Writes the SBOM(s) of `artifact` to `place` (see sbomPlace); returns the files written. */
export async function writeSboms(
  artifact: Artifact,
  place: string,
  name: string,
  out: Output,
): Promise<string[]> {
  const images = imagesOf(artifact);
  const tool = await distillTool();
  const files: string[] = [];
  for (const image of images) {
    const platform = formatPlatform(image.descriptor.platform ?? platformOf(image.config));
    const file = !place.endsWith('/')
      ? images.length === 1
        ? place
        : place.replace(/\.spdx\.json$/, `.${platform.replace(/\//g, '-')}.spdx.json`)
      : join(
          place,
          images.length === 1 ? 'sbom.spdx.json' : `sbom.${platform.replace(/\//g, '-')}.spdx.json`,
        );
    const sbom = await imageSbom(image, {
      format: 'spdx-json',
      name,
      env: process.env,
      tool,
      onWarning: (w) => out.warn(`distill: warning: ${w.path}: ${w.message}`),
    });
    await writeSbomFile(file, sbom.text);
    out.info(`wrote SBOM ${file} (${sbom.inventory.packages.length} packages, ${platform})`);
    files.push(file);
  }
  return files;
}
