/**
 * CycloneDX 1.6 JSON: metadata.component is the image (type container, its digest as version and
 * SHA-256 hash, an oci purl); components are the distro (operating-system) and every package
 * with purl, CPE, licences (SPDX ids as `id`, LicenseRefs as `name`) and where it was found as
 * properties; dependencies say the image holds them. The serial number comes from the digest.
 */
import type { Inventory, PackageRecord } from '../scan/index.ts';
import { isSpdxId } from '../scan/index.ts';
import {
  DISTILL_TOOL,
  imagePurl,
  packageKey,
  type SbomSubject,
  type SbomTool,
  stableUuid,
  uniquePackages,
} from './subject.ts';

const IMAGE_REF = 'image';

function component(p: PackageRecord, ref: string): Record<string, unknown> {
  const scoped = p.ecosystem === 'npm' && p.name.startsWith('@') ? p.name.split('/') : undefined;
  const group = p.ecosystem === 'maven' ? /^pkg:maven\/([^/]+)\//.exec(p.purl)?.[1] : scoped?.[0];
  return {
    'bom-ref': ref,
    type: p.ecosystem === 'generic' ? 'application' : 'library',
    ...(p.supplier ? { supplier: { name: p.supplier } } : {}),
    ...(group ? { group: decodeURIComponent(group) } : {}),
    name: scoped ? (scoped[1] as string) : p.name,
    version: p.version,
    ...(p.licenses.length
      ? {
          licenses: p.licenses.map((l) => ({ license: isSpdxId(l) ? { id: l } : { name: l } })),
        }
      : {}),
    ...(p.cpes?.length ? { cpe: p.cpes[0] } : {}),
    purl: p.purl,
    properties: [
      { name: 'distill:package:ecosystem', value: p.ecosystem },
      ...(p.arch ? [{ name: 'distill:package:arch', value: p.arch }] : []),
      ...(p.source
        ? [{ name: 'distill:package:source', value: `${p.source.name} ${p.source.version}` }]
        : []),
      ...p.locations.map((value) => ({ name: 'distill:location', value })),
    ],
  };
}

/** The CycloneDX 1.6 BOM as a plain object. */
export function cyclonedxBom(subject: SbomSubject, inv: Inventory, tool: SbomTool = DISTILL_TOOL): object {
  const packages = uniquePackages(inv.packages);
  const refOf = (p: PackageRecord) =>
    `${p.purl}${p.purl.includes('?') ? '&' : '?'}package-id=${packageKey(p)}`;
  const refs = packages.map(refOf);
  const { id, versionId, prettyName } = inv.distro;
  const os = id
    ? [
        {
          'bom-ref': `os:${id}@${versionId ?? ''}`,
          type: 'operating-system',
          name: id,
          ...(versionId ? { version: versionId } : {}),
          ...(prettyName ? { description: prettyName } : {}),
        },
      ]
    : [];
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${stableUuid('cyclonedx', subject.digest, subject.name)}`,
    version: 1,
    metadata: {
      timestamp: subject.created,
      tools: { components: [{ type: 'application', name: tool.name, version: tool.version }] },
      component: {
        'bom-ref': IMAGE_REF,
        type: 'container',
        name: subject.name,
        version: subject.digest,
        hashes: [{ alg: 'SHA-256', content: subject.digest.replace(/^sha256:/, '') }],
        purl: imagePurl(subject),
      },
    },
    components: [...os, ...packages.map((p, i) => component(p, refs[i] as string))],
    dependencies: [
      { ref: IMAGE_REF, dependsOn: [...os.map((o) => o['bom-ref']), ...refs].sort() },
      ...[...os.map((o) => o['bom-ref']), ...refs].sort().map((ref) => ({ ref })),
    ],
  };
}
