/**
 * `distill prune`: removes what `distill run` leaves behind and nothing in use — the bundles
 * (and logs) of containers that are not running, every unpacked chain in `$DISTILL_CACHE/rootfs`
 * that no remaining container uses, the leftover directories of interrupted unpacks, and leases
 * and logs whose container is gone.
 *
 * A chain is in use when a lease that still holds names it (leases.ts: every chain of the image,
 * the lower ones too, from any run root sharing the cache), when a remaining bundle of this run
 * root names it (config.json's chain annotation, or its root.path without an overlay), or when a
 * mounted overlay's lowerdir is in it (/proc/self/mountinfo). A chain is first renamed out of
 * view to a temporary name of this process, so a `distill run` never finds half a chain: it finds
 * the whole one or none and unpacks it again; one that a run leased meanwhile is put back.
 * Other entries of the store (`debug-busybox-*` of distill debug, `empty`) are left alone.
 */
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { type ContainerInfo, type ContainerOptions, isActive, listContainers } from './containers.ts';
import { FreedSpace } from './freed-space.ts';
import { findRunc } from './host.ts';
import { leaseDir, leaseHolds, readLeases, removeLease } from './leases.ts';
import { removeStopped } from './lifecycle.ts';
import { processId } from './processes.ts';
import { isStaleTemp, rootfsStore } from './rootfs.ts';
import { bundleDir, runRoot } from './state.ts';

export interface PruneOptions extends ContainerOptions {
  /** The cache whose `rootfs/` is pruned. */
  cacheRoot: string;
}

export interface PruneResult {
  /** Containers removed (not running). */
  containers: string[];
  /** chainIDs of the unpacked chains removed. */
  chains: string[];
  /** chainIDs kept because a container uses them. */
  kept: string[];
  /** Leftover directories of interrupted unpacks removed. */
  temps: number;
  /** Disk space given back (bundles, logs, chains, temps): a hard-linked file counts when its last link goes. */
  bytes: number;
}

const CHAIN = /^[0-9a-f]{64}$/;

/** Chain directory names (hex) under `store` that a path lies in. */
function chainOf(path: string, store: string): string | undefined {
  if (!path.startsWith(`${store}/`)) return undefined;
  const name = path.slice(store.length + 1).split('/')[0] ?? '';
  return CHAIN.test(name) ? name : undefined;
}

/** Overlay lowerdirs of every mount this process sees (mountinfo's super options, escaped). */
async function overlayLowerDirs(): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const out: string[] = [];
  for (const line of info.split('\n')) {
    const [, tail] = line.split(' - ');
    const [type, , opts] = (tail ?? '').split(' ');
    if (type !== 'overlay' || !opts) continue;
    const lower = /(?:^|,)lowerdir=([^,]*)/.exec(opts)?.[1];
    if (!lower) continue;
    const unescaped = (s: string) =>
      s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
    out.push(...lower.split(':').map(unescaped));
  }
  return out;
}

/** Chains (hex) the remaining bundles of this run root name, and the overlays mounted anywhere. */
async function chainsInUse(store: string, remaining: readonly ContainerInfo[]): Promise<Set<string>> {
  const used = new Set<string>();
  for (const l of await readLeases(store)) {
    if (!(await leaseHolds(l))) continue;
    for (const c of l.chains) used.add(c.replace(/^sha256:/, ''));
  }
  for (const c of remaining) {
    if (c.chain) used.add(c.chain.replace(/^sha256:/, ''));
    const config = await readFile(join(c.bundle, 'config.json'), 'utf8').catch(() => '{}');
    const root = (JSON.parse(config) as { root?: { path?: string } }).root?.path;
    const inStore = root && isAbsolute(root) ? chainOf(root, store) : undefined;
    if (inStore) used.add(inStore);
  }
  for (const d of await overlayLowerDirs()) {
    const c = chainOf(d, store);
    if (c) used.add(c);
  }
  return used;
}

/** Removes stopped containers, unused chains and leftovers (see the module comment). */
export async function prune(o: PruneOptions): Promise<PruneResult> {
  const env = o.env ?? process.env;
  const runc = findRunc(o.runc, env);
  const store = rootfsStore(o.cacheRoot);
  const freed = new FreedSpace();

  // Containers that are not running, with their logs.
  const all = await listContainers({ ...o, env });
  const removed: string[] = [];
  for (const c of all.filter((c) => !isActive(c))) {
    await freed.add(c.bundle);
    if (c.log) await freed.add(c.log);
    await removeStopped(c, runc, env, o.cacheRoot);
    removed.push(c.id);
  }
  // Logs whose container is gone (a detached --rm container's, once it exited).
  const logs = join(runRoot(env), 'logs');
  const listed = new Set(all.map((c) => c.id));
  for (const name of await readdir(logs).catch(() => [] as string[])) {
    const id = name.replace(/\.log$/, '');
    if (listed.has(id) && !removed.includes(id)) continue;
    const known = await readdir(bundleDir(id, env)).then(
      () => true,
      () => false,
    );
    if (known) continue; // started since we looked
    await freed.add(join(logs, name));
    await rm(join(logs, name), { force: true });
  }

  // Leases that no longer hold, and lease files a killed writer left half-made.
  for (const l of await readLeases(store)) if (!(await leaseHolds(l))) await removeLease(l.file);
  for (const name of await readdir(leaseDir(store)).catch(() => [] as string[])) {
    const pid = /\.tmp-(\d+)$/.exec(name)?.[1];
    if (pid && Number(pid) !== process.pid && !processId(Number(pid)))
      await rm(join(leaseDir(store), name), { force: true });
  }

  const remaining = all.filter(isActive);
  const names = await readdir(store).catch(() => [] as string[]);
  let used = await chainsInUse(store, remaining);
  const candidates = names.filter((n) => CHAIN.test(n) && !used.has(n));
  const kept = names.filter((n) => CHAIN.test(n) && used.has(n)).map((n) => `sha256:${n}`);
  // Out of view first (a run finds a whole chain or none), then checked again.
  const aside = new Map<string, string>();
  for (const n of candidates) {
    const tmp = join(store, `.tmp-${n.slice(0, 12)}-${process.pid}-prune`);
    if (
      await rename(join(store, n), tmp).then(
        () => true,
        () => false,
      )
    )
      aside.set(n, tmp);
  }
  used = await chainsInUse(store, remaining);
  const chains: string[] = [];
  for (const [n, tmp] of aside) {
    if (used.has(n)) {
      // Leased meanwhile: back in place (unless a run already unpacked it again).
      const back = await rename(tmp, join(store, n)).then(
        () => true,
        () => false,
      );
      if (back) {
        kept.push(`sha256:${n}`);
        aside.delete(n);
        continue;
      }
    }
    chains.push(`sha256:${n}`);
  }
  const temps = names.filter(isStaleTemp);
  for (const t of temps) await freed.add(join(store, t));
  for (const tmp of aside.values()) await freed.add(tmp);
  const bytes = freed.bytes;
  for (const p of [...temps.map((t) => join(store, t)), ...aside.values()])
    await rm(p, { recursive: true, force: true });
  return { containers: removed, chains: chains.sort(), kept: kept.sort(), temps: temps.length, bytes };
}
