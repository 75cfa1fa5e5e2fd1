/**
 * SPDX 2.3 JSON (what distroless publishes and syft writes by default): the image is a package of
 * purpose CONTAINER with its digest as checksum and an oci purl; the document DESCRIBES it and it
 * CONTAINS every package of the inventory, each with its purl (and CPE) as external refs and its
 * declared licences. Licence names that are not SPDX ids are LicenseRefs, listed in
 * hasExtractedLicensingInfos as the spec requires. Key order and element order are fixed.
 */
import type { Inventory, PackageRecord } from '../scan/index.ts';
import {
  DISTILL_TOOL,
  imagePurl,
  packageKey,
  type SbomSubject,
  type SbomTool,
  stableUuid,
  uniquePackages,
} from './subject.ts';

const NOASSERTION = 'NOASSERTION';
const IMAGE_ID = 'SPDXRef-Image';

const idPart = (s: string) => s.replace(/[^A-Za-z0-9.-]+/g, '-');
export const spdxPackageId = (p: PackageRecord): string =>
  `SPDXRef-Package-${p.ecosystem}-${idPart(p.name)}-${packageKey(p)}`;

/** `Person: Name (email)` from `Name <email>`, as syft writes Debian maintainers. */
function supplier(s: string | undefined): string {
  if (!s) return NOASSERTION;
  const m = /^(.*?)\s*<([^>]*)>\s*$/.exec(s);
  return m ? `Person: ${m[1] || m[2]} (${m[2]})` : `Person: ${s}`;
}

function declared(p: PackageRecord): string {
  if (!p.licenses.length) return NOASSERTION;
  const ids = [...p.licenses];
  return ids.length === 1 ? (ids[0] as string) : ids.map((i) => (/\s/.test(i) ? `(${i})` : i)).join(' AND ');
}

function pkg(p: PackageRecord): Record<string, unknown> {
  return {
    name: p.name,
    SPDXID: spdxPackageId(p),
    versionInfo: p.version,
    supplier: supplier(p.supplier),
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    sourceInfo: `acquired package info from ${p.locations.join(', ')}`,
    licenseConcluded: NOASSERTION,
    licenseDeclared: declared(p),
    copyrightText: NOASSERTION,
    externalRefs: [
      ...(p.cpes ?? []).map((c) => ({
        referenceCategory: 'SECURITY',
        referenceType: 'cpe23Type',
        referenceLocator: c,
      })),
      { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl },
    ],
  };
}

/** The SPDX 2.3 document as a plain object (serialise with `JSON.stringify(doc, null, 2)`). */
export function spdxDocument(subject: SbomSubject, inv: Inventory, tool: SbomTool = DISTILL_TOOL): object {
  const hex = subject.digest.replace(/^sha256:/, '');
  const image = {
    name: subject.name,
    SPDXID: IMAGE_ID,
    versionInfo: subject.digest,
    supplier: NOASSERTION,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    checksums: [{ algorithm: 'SHA256', checksumValue: hex }],
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    externalRefs: [
      { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: imagePurl(subject) },
    ],
    primaryPackagePurpose: 'CONTAINER',
  };
  const packages = uniquePackages(inv.packages);
  const refs = [
    ...new Set(packages.flatMap((p) => p.licenses.filter((l) => l.startsWith('LicenseRef-')))),
  ].sort();
  const ids = packages.map(spdxPackageId);
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${subject.name}@${subject.digest}`,
    documentNamespace: `https://spdx.org/spdxdocs/${tool.name}-${idPart(subject.name)}-${stableUuid('spdx', subject.digest, subject.name)}`,
    creationInfo: {
      created: subject.created,
      creators: [`Tool: ${tool.name}-${tool.version}`],
    },
    packages: [image, ...packages.map(pkg)],
    ...(refs.length
      ? {
          hasExtractedLicensingInfos: refs.map((licenseId) => ({
            licenseId,
            name: licenseId.slice('LicenseRef-'.length),
            extractedText: `The package names this licence "${licenseId.slice('LicenseRef-'.length)}"; it has no SPDX identifier.`,
          })),
        }
      : {}),
    relationships: [
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: IMAGE_ID },
      ...ids
        .sort()
        .map((id) => ({ spdxElementId: IMAGE_ID, relationshipType: 'CONTAINS', relatedSpdxElement: id })),
    ],
  };
}
