/**
 * Writing an SBOM file: aside then renamed into place, so a reader never sees half a document and
 * a failed write leaves no file behind.
 */
import { writeAside } from '../files/index.ts';
import { SbomError } from './errors.ts';
import { SBOM_FORMATS, type SbomFormat } from './generate.ts';

/** `spdx-json` | `cyclonedx-json`, or SBOM_FORMAT_UNKNOWN. */
export function parseSbomFormat(s: string): SbomFormat {
  if ((SBOM_FORMATS as readonly string[]).includes(s)) return s as SbomFormat;
  throw new SbomError(
    'SBOM_FORMAT_UNKNOWN',
    `unknown SBOM format ${JSON.stringify(s)}: use ${SBOM_FORMATS.join(' or ')}`,
  );
}

/** Writes `text` to `file` atomically. */
export async function writeSbomFile(file: string, text: string): Promise<void> {
  try {
    await writeAside(file, text);
  } catch (err) {
    throw new SbomError('SBOM_WRITE_FAILED', `cannot write the SBOM to ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
