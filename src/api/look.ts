/**
 * Library verbs that look at any image without running it: `audit` (findings, and CVEs with
 * Debian's tracker data) and `sbom` (SPDX 2.3 or CycloneDX 1.6), each from one streamed read of
 * the layers, the same code `distill audit` and `distill sbom` run.
 */
import { type AuditReport, auditImage } from '../audit/index.ts';
import { type Artifact, type Image, imageForPlatform } from '../oci/index.ts';
import { type ImageSbom, imageSbom, type SbomFormat } from '../sbom/index.ts';
import type { VulnDb } from '../vulns/index.ts';
import { openImage } from './images.ts';
import type { RegistryOptions } from './registry.ts';

export { loadVulnDb } from '../vulns/index.ts';
export type { AuditReport, ImageSbom, SbomFormat, VulnDb };

export interface LookOptions extends RegistryOptions {
  /** From an index, this platform (`os/arch[/variant]`). Default the host's, else the first. */
  platform?: string;
}

async function oneImage(
  image: string | Artifact,
  platform?: string,
): Promise<{ name: string; image: Image }> {
  const artifact = typeof image === 'string' ? await openImage(image) : image;
  const name = typeof image === 'string' ? image : artifact.descriptor.digest;
  return { name, image: imageForPlatform(name, artifact, platform) };
}

/**
 * Audits an image: shells, package managers, setuid files, the default user, secrets, hidden
 * bytes; with `vulnDb` (see `loadVulnDb`), open CVEs of its Debian packages.
 * @example
 *   const r = await audit('oci:out/app');
 *   r.findings.filter((f) => !f.expected).length === 0;
 */
export async function audit(
  image: string | Artifact,
  o: LookOptions & { vulnDb?: VulnDb } = {},
): Promise<AuditReport> {
  const one = await oneImage(image, o.platform);
  return auditImage(one.image, { reference: one.name, ...(o.vulnDb ? { vulnDb: o.vulnDb } : {}) });
}

/**
 * The SBOM of an image: every OS and language package with purls and licences.
 * @example
 *   const { text } = await sbom('oci:out/app', { format: 'cyclonedx-json' });
 */
export async function sbom(
  image: string | Artifact,
  o: LookOptions & { format?: SbomFormat } = {},
): Promise<ImageSbom> {
  const one = await oneImage(image, o.platform);
  return imageSbom(one.image, { format: o.format ?? 'spdx-json', name: one.name, env: process.env });
}
