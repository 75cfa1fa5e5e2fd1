/**
 * One column of `distill compare`: what an image is, read from its manifest, config and files in
 * one streaming scan (the inventory's files, /etc/passwd and JDK release files are kept), plus
 * what an audit found when the caller gives one.
 */
import { formatPlatform, type Image, platformOf } from '../oci/index.ts';
import {
  type ContentReducer,
  type Finding,
  type ImageFiles,
  inventory,
  SEVERITIES,
  type Severity,
  scanImage,
  wantForInventory,
} from '../scan/index.ts';
import {
  isJavaRelease,
  type Libc,
  libcOf,
  libcVersion,
  packageManagersOf,
  type Runtime,
  runtimesOf,
  setuidFilesOf,
  shellsOf,
} from './facts.ts';
import { type DefaultUser, defaultUser, PASSWD } from './user.ts';

export interface LayerSize {
  readonly digest: string;
  /** Bytes as stored. */
  readonly size: number;
  readonly uncompressedSize: number;
  /** The history's `created_by` of the layer, when the config has one. */
  readonly createdBy?: string;
}

/** What an audit of the image said (from the audit module, wired by the caller). */
export interface Assessment {
  readonly findings: readonly Finding[];
  /** CVEs affecting the packages, when vulnerability data was given. */
  readonly cves?: CveCount;
}

export interface CveCount {
  /** Distinct issues affecting the image's packages (open, fixed in a newer version, undetermined). */
  readonly total: number;
  /** Packages the data says nothing about (unknown, not clean). */
  readonly noData: number;
  /** Why nothing could be matched (not Debian, unknown release). */
  readonly note?: string;
}

export interface CompareRow {
  /** The reference as the user wrote it. */
  readonly name: string;
  readonly platform: string;
  readonly digest: string;
  readonly distro?: string;
  /** Sum of the layers as stored (compressed, unless the layers are plain tars). */
  readonly compressedSize: number;
  /** Whether every layer is stored compressed (docker save writes plain tars). */
  readonly layersCompressed: boolean;
  readonly uncompressedSize: number;
  readonly layers: readonly LayerSize[];
  readonly shells: readonly string[];
  readonly packageManagers: readonly string[];
  readonly libc: Libc;
  readonly libcVersion?: string;
  readonly runtimes: readonly Runtime[];
  readonly packages: number;
  readonly setuid: readonly string[];
  readonly user: DefaultUser;
  /** Findings by severity (expected ones not counted), when an audit ran. */
  readonly findings?: Readonly<Record<Severity, number>>;
  readonly cves?: CveCount;
}

export interface RowOptions {
  /**
   * Audits the image (findings, CVEs) from compare's own scan, which also keeps the files
   * `auditWant` asks for: the layers are read once for both.
   */
  assess?: (image: Image, files: ImageFiles) => Assessment | Promise<Assessment>;
  /** The files the assessment reads (see `assess`). */
  auditWant?: (path: string, size: number) => boolean | ContentReducer;
  onWarning?: (message: string) => void;
}

/** The scan's `want`: the inventory's files, /etc/passwd, JDK release files. */
export function wantForCompare(path: string, size: number): boolean | ContentReducer {
  const inv = wantForInventory(path, size);
  return inv || path === PASSWD || isJavaRelease(path);
}

const COMPRESSED = /(gzip|zstd)$/;

/** Scans `image` once (for compare and the assessment) and makes its column. */
export async function compareRow(name: string, image: Image, o: RowOptions = {}): Promise<CompareRow> {
  const extra = o.auditWant;
  const want = extra ? (p: string, n: number) => wantForCompare(p, n) || extra(p, n) : wantForCompare;
  const files = await scanImage(image, { want });
  const assessment = await o.assess?.(image, files);
  const inv = inventory(files, { onWarning: (w) => o.onWarning?.(`${name}: ${w.path}: ${w.message}`) });
  const history = (image.config.history ?? []).filter((h) => !h.empty_layer);
  const layers = files.layers.map((l, i) => ({
    digest: l.digest,
    size: l.size,
    uncompressedSize: l.uncompressedSize,
    createdBy: history[i]?.created_by,
  }));
  const libc = libcOf(files);
  const d = inv.distro;
  return {
    name,
    platform: formatPlatform(image.descriptor.platform ?? platformOf(image.config)),
    digest: image.descriptor.digest,
    distro: d.id ? [d.id, d.versionId].filter(Boolean).join(' ') : d.prettyName,
    compressedSize: sum(layers.map((l) => l.size)),
    layersCompressed: image.layers.every((l) => COMPRESSED.test(l.descriptor.mediaType)),
    uncompressedSize: sum(layers.map((l) => l.uncompressedSize)),
    layers,
    shells: shellsOf(files),
    packageManagers: packageManagersOf(files),
    libc,
    libcVersion: libcVersion(libc, inv.packages),
    runtimes: runtimesOf(files, inv.packages),
    packages: inv.packages.length,
    setuid: setuidFilesOf(files),
    user: defaultUser(image.config.config?.User, files),
    ...(assessment ? { findings: bySeverity(assessment.findings), cves: assessment.cves } : {}),
  };
}

/** Counts findings per severity; expected findings (a :debug image's shell) are not counted. */
export function bySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const out = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) if (!f.expected) out[f.severity]++;
  return out;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
