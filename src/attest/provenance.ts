/**
 * SLSA provenance of a distill build, from what the build pins: the lock (its digest, and each
 * .deb by sha256), the signed Debian indexes it was resolved against (each suite's InRelease by
 * sha256, as the lock records them), the Node.js runtime (npm integrity), and the app layers
 * distill made (the app tree, by the digest of its layer). Only inputs and outputs that the same lock and source
 * reproduce go in — no clock, no host paths, no mirror hosts — so two builds give the same
 * statement byte for byte. v1 (`slsaprovenance1`) is the format SLSA recommends; v0.2
 * (`slsaprovenance`, what cosign's plain `--type slsaprovenance` names) carries the same facts.
 */
import { createHash } from 'node:crypto';
import type { AppLockFile, BaseLockFile, LockedPackage, LockedRelease } from '../lock/index.ts';
import { serialiseLock } from '../lock/index.ts';

/** Identifies distill's build types (URNs: no web page answers for them). */
export const BUILD_TYPE = {
  app: 'urn:distill:buildtype:app:v1',
  base: 'urn:distill:buildtype:base:v1',
} as const;
export const DEFAULT_BUILDER_ID = 'urn:distill:builder:local';

export interface ResourceDescriptor {
  name?: string;
  uri?: string;
  digest: Record<string, string>;
  annotations?: Record<string, unknown>;
}

/**
 * What a provenance says (internalParameters.debianIndexDigests in v1; completeness.materials
 * false in v0.2) when its lock predates recorded InRelease digests.
 */
export const UNKNOWN_INDEX_DIGESTS =
  'unknown: the lock records no Debian InRelease digests (it was written before distill recorded them, or the packages were resolved above an image-reference base); re-create it with --relock to include them';

export interface ProvenanceInput {
  lock: AppLockFile | BaseLockFile;
  /** Bytes of the lock as written (default: the lock serialised as distill writes it). */
  lockBytes?: Buffer;
  lockName?: string;
  /** Layers distill built from the project (name and digest), per architecture. */
  appLayers?: readonly { arch: string; name: string; digest: string }[];
  /** SOURCE_DATE_EPOCH the build used. */
  epoch?: number;
  builderId?: string;
  distillVersion: string;
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function debDescriptor(p: LockedPackage): ResourceDescriptor {
  return {
    uri: `pkg:deb/debian/${encodeURIComponent(p.name)}@${encodeURIComponent(p.version)}?arch=${p.architecture}`,
    digest: { sha256: p.sha256 },
  };
}

/**
 * A suite's signed index, named without a host (the same statement on any machine, whichever
 * mirror served it): `urn:distill:debian:<suite>:InRelease`, its sha256, and what the Release
 * says of itself.
 */
export function releaseDescriptor(r: LockedRelease): ResourceDescriptor {
  return {
    uri: `urn:distill:debian:${r.suite}:InRelease`,
    digest: { sha256: r.sha256 },
    annotations: {
      archive: r.archive,
      codename: r.codename,
      components: [...r.components],
      ...(r.date ? { date: r.date } : {}),
      ...(r.validUntil ? { validUntil: r.validUntil } : {}),
    },
  };
}

/** True when the lock names .deb files but not the InRelease files they were resolved from. */
export function indexDigestsUnknown(lock: AppLockFile | BaseLockFile): boolean {
  if (lock.kind === 'base') return !lock.releases;
  if (lock.base && !lock.base.releases) return true;
  // Packages above an image-reference base: the app lock has no releases of its own.
  return !lock.base && Object.values(lock.architectures).some((a) => (a?.packages.length ?? 0) > 0);
}

/** An SRI string (`sha512-BASE64`) as a digest map (`{ sha512: HEX }`). */
function sriDigest(sri: string): Record<string, string> {
  const m = /^(sha(?:256|384|512))-([A-Za-z0-9+/=]+)$/.exec(sri.trim());
  return m ? { [m[1] as string]: Buffer.from(m[2] as string, 'base64').toString('hex') } : {};
}

function baseArchDeps(lock: BaseLockFile): ResourceDescriptor[] {
  const out: ResourceDescriptor[] = (lock.releases ?? []).map(releaseDescriptor);
  for (const arch of Object.keys(lock.architectures).sort()) {
    const a = lock.architectures[arch];
    if (!a) continue;
    for (const l of a.layers) for (const p of l.packages) out.push(debDescriptor(p));
    out.push(
      debDescriptor(a.sources.caCertificates),
      debDescriptor(a.sources.busybox),
      debDescriptor(a.sources.libcBin),
    );
    if (a.node)
      out.push({
        uri: `pkg:npm/${encodeURIComponent(a.node.package)}@${encodeURIComponent(a.node.version)}`,
        digest: sriDigest(a.node.integrity),
      });
  }
  return out;
}

function dedupe(ds: ResourceDescriptor[]): ResourceDescriptor[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.uri ?? d.name}|${JSON.stringify(d.digest)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Everything the build took in: the lock, the InRelease files, every .deb, the Node.js tarball,
 * the app tree.
 */
export function resolvedDependencies(i: ProvenanceInput): ResourceDescriptor[] {
  const lockBytes = i.lockBytes ?? Buffer.from(serialiseLock(i.lock));
  const out: ResourceDescriptor[] = [
    { name: i.lockName ?? 'distill.lock', digest: { sha256: sha(lockBytes) } },
  ];
  if (i.lock.kind === 'base') out.push(...baseArchDeps(i.lock));
  else {
    if (i.lock.base) out.push(...baseArchDeps(i.lock.base));
    for (const arch of Object.keys(i.lock.architectures).sort()) {
      const a = i.lock.architectures[arch];
      for (const p of a?.packages ?? []) out.push(debDescriptor(p));
      if (a?.baseDigest)
        out.push({ name: `base image (${arch})`, digest: { sha256: a.baseDigest.replace(/^sha256:/, '') } });
    }
  }
  for (const l of i.appLayers ?? [])
    out.push({
      name: `app layer ${l.name} (${l.arch})`,
      digest: { sha256: l.digest.replace(/^sha256:/, '') },
    });
  return dedupe(out);
}

function externalParameters(lock: AppLockFile | BaseLockFile): Record<string, unknown> {
  return lock.kind === 'base'
    ? {
        command: 'distill base',
        image: lock.inputs.image,
        debian: lock.inputs.debian,
        architectures: lock.inputs.architectures,
      }
    : {
        command: 'distill build',
        base: lock.inputs.base,
        debian: lock.inputs.debian,
        architectures: lock.inputs.architectures,
        packages: lock.inputs.packages,
      };
}

/** SLSA provenance v1 (`https://slsa.dev/provenance/v1`). */
export function provenanceV1(i: ProvenanceInput): object {
  return {
    buildDefinition: {
      buildType: BUILD_TYPE[i.lock.kind],
      externalParameters: externalParameters(i.lock),
      internalParameters: {
        SOURCE_DATE_EPOCH: i.epoch ?? 0,
        ...(indexDigestsUnknown(i.lock) ? { debianIndexDigests: UNKNOWN_INDEX_DIGESTS } : {}),
      },
      resolvedDependencies: resolvedDependencies(i),
    },
    runDetails: {
      builder: { id: i.builderId ?? DEFAULT_BUILDER_ID, version: { distill: i.distillVersion } },
      metadata: {},
    },
  };
}

/** SLSA provenance v0.2 (`https://slsa.dev/provenance/v0.2`), the same facts in that schema. */
export function provenanceV02(i: ProvenanceInput): object {
  return {
    builder: { id: i.builderId ?? DEFAULT_BUILDER_ID },
    buildType: BUILD_TYPE[i.lock.kind],
    invocation: {
      configSource: {},
      parameters: externalParameters(i.lock),
      environment: { SOURCE_DATE_EPOCH: i.epoch ?? 0 },
    },
    metadata: {
      completeness: { parameters: true, environment: true, materials: !indexDigestsUnknown(i.lock) },
      reproducible: true,
    },
    materials: resolvedDependencies(i).map((d) => ({ uri: d.uri ?? d.name ?? '', digest: d.digest })),
  };
}
