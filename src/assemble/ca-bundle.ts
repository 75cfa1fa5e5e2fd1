/**
 * The CA bundle distroless puts in every image instead of installing ca-certificates (whose
 * postinst needs a shell and openssl): rules_distroless v0.8.0 `cacerts` (cacerts.sh) concatenates
 * every file below usr/share/ca-certificates — directories walked depth-first, names in byte order
 * at each level (bash's `*` glob in the C locale), dot files skipped — line by line into
 * /etc/ssl/certs/ca-certificates.crt, with no separator, and copies the package's copyright to
 * /usr/share/doc/ca-certificates/copyright. Both files are 0555, every directory 0755 root.
 *
 * distroless also adds /var/lib/dpkg/status.d/ca-certificates (+ .md5sums) from the package's
 * control archive so scanners see the package; that is the debian module's statusDEntries.
 */
import { X509Certificate } from 'node:crypto';
import type { LayerEntry } from '../oci/index.ts';
import { bytesEntry, readEntry, resolveHardlink } from './entry-content.ts';
import { AssembleError } from './errors.ts';

export const CA_SOURCE_DIR = 'usr/share/ca-certificates';
export const CA_BUNDLE_PATH = 'etc/ssl/certs/ca-certificates.crt';
export const CA_COPYRIGHT_SOURCE = 'usr/share/doc/ca-certificates/copyright';

/** What caBundle produced. */
export interface CaBundle {
  /** The bundle's bytes (PEM certificates, concatenated). */
  bundle: Buffer;
  /** Package paths that went into it, in bundle order. */
  sources: string[];
  /** Certificates in the bundle (each source file holds at least one). */
  certificates: number;
  /** The layer entries: bundle, copyright and their parent directories. */
  entries: LayerEntry[];
}

export interface CaBundleOptions {
  /** Mode of the two files (default 0o555, rules_distroless v0.8.0 as distroless pins it). */
  mode?: number;
}

const cmpBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Orders paths as a depth-first walk that lists each directory with a C-locale glob would. */
function globOrder(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = cmpBytes(pa[i] as string, pb[i] as string);
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

/** PEM blocks of a certificate file; each must parse as X.509. */
function countCertificates(data: Buffer, path: string): number {
  const blocks = data
    .toString('latin1')
    .match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  if (!blocks)
    throw new AssembleError('CA_CERT_INVALID', `${path} in ca-certificates holds no PEM certificate`);
  for (const b of blocks) {
    try {
      new X509Certificate(b);
    } catch (cause) {
      throw new AssembleError(
        'CA_CERT_INVALID',
        `${path} in ca-certificates holds a certificate that does not parse`,
        {
          cause,
        },
      );
    }
  }
  return blocks.length;
}

/**
 * Builds the bundle from the ca-certificates package's files (its data.tar as LayerEntry values,
 * e.g. the debian module's layerEntries(extractDeb(...))).
 *
 * Each file is copied line by line as cacerts.sh does; a file whose last line has no newline gets
 * one (cacerts.sh's `read` loop would drop that line; Debian's files always end with one).
 * @example const { entries } = await caBundle(layerEntries(await extractDeb(deb, { cache })));
 */
export async function caBundle(pkg: readonly LayerEntry[], opts: CaBundleOptions = {}): Promise<CaBundle> {
  const mode = opts.mode ?? 0o555;
  const byPath = new Map(pkg.map((e) => [e.path.replace(/^\.?\/+/, ''), e]));
  const sources = [...byPath.keys()]
    .filter((p) => p.startsWith(`${CA_SOURCE_DIR}/`))
    .filter(
      (p) =>
        !p
          .slice(CA_SOURCE_DIR.length + 1)
          .split('/')
          .some((part) => part.startsWith('.')),
    )
    .filter((p) => byPath.get(p)?.type !== 'dir')
    .sort(globOrder);
  const parts: Buffer[] = [];
  let certificates = 0;
  for (const p of sources) {
    const e = resolveHardlink(byPath.get(p) as LayerEntry, byPath);
    if (e?.type !== 'file')
      throw new AssembleError(
        'CA_PACKAGE_INVALID',
        `${p} in ca-certificates is a ${e?.type ?? 'dangling hardlink'}, not a certificate file`,
      );
    const data = await readEntry(e);
    certificates += countCertificates(data, p);
    parts.push(data);
    if (data.length > 0 && data[data.length - 1] !== 0x0a) parts.push(Buffer.from('\n'));
  }
  if (sources.length === 0)
    throw new AssembleError('CA_PACKAGE_INVALID', `ca-certificates has no files under /${CA_SOURCE_DIR}`);
  const copyrightEntry = byPath.get(CA_COPYRIGHT_SOURCE);
  const copyright = copyrightEntry && resolveHardlink(copyrightEntry, byPath);
  if (copyright?.type !== 'file')
    throw new AssembleError('CA_PACKAGE_INVALID', `ca-certificates has no /${CA_COPYRIGHT_SOURCE}`);
  const bundle = Buffer.concat(parts);
  const dirs = [
    'etc',
    'etc/ssl',
    'etc/ssl/certs',
    'usr',
    'usr/share',
    'usr/share/doc',
    'usr/share/doc/ca-certificates',
  ];
  const entries: LayerEntry[] = [
    ...dirs.map((path): LayerEntry => ({ path, type: 'dir', mode: 0o755, uid: 0, gid: 0 })),
    bytesEntry(CA_BUNDLE_PATH, bundle, mode),
    bytesEntry(CA_COPYRIGHT_SOURCE, await readEntry(copyright), mode),
  ];
  return { bundle, sources, certificates, entries };
}
