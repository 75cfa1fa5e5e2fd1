/**
 * The unpacked root filesystems `distill run` starts containers from, in the cache under
 * `rootfs/<chainID>/`: one directory per layer chain (the OCI chainID of the diffIds, as containerd's
 * snapshots are named), so images that share lower layers share their unpacked chains, and a chain
 * is unpacked once. A chain is made from its parent chain by hard links (`cp --archive --link`: no
 * file's bytes are copied) plus its top layer, so after a one-file app change only the app layer is
 * unpacked. Safe to share because nothing ever writes into a cached chain: applying a layer
 * replaces a path (unlink, then create a new inode) instead of changing it in place, containers
 * see it read-only, and each container's own mount points live in a per-bundle overlay (bundle.ts).
 *
 * Atomic: a chain is built in `rootfs/.tmp-<hex>-<pid>-…` and renamed to its final name only when
 * complete; an interrupted unpack leaves a temp directory that no run ever uses (a later run
 * removes it once its process is gone). Every layer's uncompressed bytes are hashed while they are
 * applied and must match the diffId the chain is named by.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import {
  chmod,
  chown,
  lchown,
  link,
  lstat,
  lutimes,
  mkdir,
  readdir,
  rename,
  rm,
  symlink,
  utimes,
} from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Digest, Image } from '../oci/index.ts';
import { type TarHeader, walkLayerTar } from '../scan/index.ts';
import { RunError } from './errors.ts';

/** The OCI chainIDs of a layer stack: chain[0] = diffId[0], chain[n] = sha256(chain[n-1] + " " + diffId[n]). */
export function chainIds(diffIds: readonly string[]): Digest[] {
  const out: Digest[] = [];
  for (const d of diffIds) {
    const prev = out[out.length - 1];
    out.push(
      prev === undefined
        ? (d as Digest)
        : `sha256:${createHash('sha256').update(`${prev} ${d}`).digest('hex')}`,
    );
  }
  return out;
}

/** The directory under the cache root that holds unpacked chains. */
export function rootfsStore(cacheRoot: string): string {
  return join(cacheRoot, 'rootfs');
}

/** What `ensureRootfs` did. */
export interface UnpackedRootfs {
  /** The chain's root filesystem (read-only by convention: never write into it). */
  path: string;
  chainId: Digest;
  /** Layers unpacked now (0: the whole chain was in the cache). */
  unpackedLayers: number;
}

export interface EnsureRootfsOptions {
  cacheRoot: string;
  /** Called before each layer is unpacked (for progress). */
  onLayer?: (index: number, total: number, digest: string) => void;
  /** chown entries to the tar's owners (default: when running as root). */
  preserveOwners?: boolean;
}

/** The image's root filesystem, unpacked into the cache if it is not there yet. */
export async function ensureRootfs(image: Image, o: EnsureRootfsOptions): Promise<UnpackedRootfs> {
  const store = rootfsStore(o.cacheRoot);
  await mkdir(store, { recursive: true });
  await removeStaleTemps(store);
  const layers = image.layers;
  const chain = chainIds(layers.map((l) => l.diffId));
  const dirOf = (i: number) => join(store, (chain[i] as string).replace(/^sha256:/, ''));
  const top = chain.length - 1;
  if (top < 0) {
    // An image without layers: an empty root.
    const empty = join(store, 'empty');
    await mkdir(empty, { recursive: true });
    return { path: empty, chainId: 'sha256:' as Digest, unpackedLayers: 0 };
  }
  // The longest chain already unpacked.
  let have = top;
  while (have >= 0 && !(await isDir(dirOf(have)))) have--;
  const owners = o.preserveOwners ?? process.getuid?.() === 0;
  for (let i = have + 1; i <= top; i++) {
    const layer = layers[i] as Image['layers'][number];
    o.onLayer?.(i, layers.length, layer.descriptor.digest);
    const tmp = join(
      store,
      `.tmp-${(chain[i] as string).slice(7, 19)}-${process.pid}-${Date.now().toString(36)}`,
    );
    try {
      if (i > 0) await linkTree(dirOf(i - 1), tmp);
      else await mkdir(tmp, { mode: 0o755 });
      await applyLayer(tmp, layer, owners);
      await rename(tmp, dirOf(i)).catch(async (e: NodeJS.ErrnoException) => {
        // Another process finished the same chain first: its copy is as good as ours.
        if ((e.code === 'ENOTEMPTY' || e.code === 'EEXIST') && (await isDir(dirOf(i)))) {
          await rm(tmp, { recursive: true, force: true });
          return;
        }
        throw e;
      });
    } catch (e) {
      await rm(tmp, { recursive: true, force: true }).catch(() => {});
      throw e;
    }
  }
  return { path: dirOf(top), chainId: chain[top] as Digest, unpackedLayers: top - have };
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await lstat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Whether `name` in the store is a `.tmp-<hex>-<pid>-…` directory whose process is gone (killed mid-unpack). */
export function isStaleTemp(name: string): boolean {
  const m = /^\.tmp-[0-9a-f]+-(\d+)-/.exec(name);
  if (!m) return false;
  const pid = Number(m[1]);
  return pid !== process.pid && !alive(pid);
}

/** Removes the stale `.tmp-*` directories of the store. */
async function removeStaleTemps(store: string): Promise<void> {
  for (const name of await readdir(store))
    if (isStaleTemp(name)) await rm(join(store, name), { recursive: true, force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A copy of the tree `from` at `to` whose files are hard links (directories are new, with their metadata). */
function linkTree(from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('cp', ['--archive', '--link', '--no-target-directory', from, to], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`cp --archive --link ${from} ${to}: ${err.trim()}`)),
    );
  });
}

/** A layer's bytes hashed on their way to the tar reader. */
class Hasher extends Transform {
  readonly hash = createHash('sha256');
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: (e?: Error | null, d?: Buffer) => void): void {
    this.hash.update(chunk);
    cb(null, chunk);
  }
}

/** `./usr/bin/` → `usr/bin`; `..` anywhere is refused. */
function relPath(name: string, what: string): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..'))
    throw new RunError('RUN_LAYER_UNSAFE', `${what}: entry ${JSON.stringify(name)} leaves the root`);
  return parts.join('/');
}

/** Applies one layer to the tree at `root` as a container runtime does (whiteouts included). */
async function applyLayer(root: string, layer: Image['layers'][number], owners: boolean): Promise<void> {
  const what = `layer ${layer.descriptor.digest}`;
  const safeDirs = new Set<string>(['']);
  /** Paths this layer made: an opaque whiteout keeps them, hides only lower layers' entries. */
  const made = new Set<string>();
  const dirTimes: [string, number][] = [];

  /** Makes sure every component of `dir` is a real directory in the tree (never a symlink out of it). */
  const ensureDir = async (dir: string): Promise<void> => {
    if (safeDirs.has(dir)) return;
    await ensureDir(posix.dirname(dir) === '.' ? '' : posix.dirname(dir));
    const p = join(root, dir);
    let st: Awaited<ReturnType<typeof lstat>> | undefined;
    try {
      st = await lstat(p);
    } catch {
      await mkdir(p, { mode: 0o755 });
    }
    if (st && !st.isDirectory())
      throw new RunError('RUN_LAYER_UNSAFE', `${what}: /${dir} is not a directory but an entry is below it`);
    safeDirs.add(dir);
  };
  const remove = async (rel: string): Promise<void> => {
    await rm(join(root, rel), { recursive: true, force: true });
    for (const d of safeDirs) if (d === rel || d.startsWith(`${rel}/`)) safeDirs.delete(d);
  };

  const hasher = new Hasher();
  await walkLayerTar(layer, hasher, async (h: TarHeader, body: Readable) => {
    const rel = relPath(h.name, what);
    if (rel === '') return; // the root itself
    const base = posix.basename(rel);
    const parent = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
    await ensureDir(parent);
    if (base === '.wh..wh..opq') {
      for (const child of await readdir(join(root, parent))) {
        const c = parent ? `${parent}/${child}` : child;
        if (!made.has(c)) await remove(c);
      }
      return;
    }
    if (base.startsWith('.wh.')) {
      await remove(parent ? `${parent}/${base.slice(4)}` : base.slice(4));
      return;
    }
    const p = join(root, rel);
    const old = await lstat(p).catch(() => undefined);
    const mode = (h.mode ?? 0o644) & 0o7777;
    const mtime = h.mtime instanceof Date ? h.mtime.getTime() / 1000 : 0;
    const setOwner = async (isLink: boolean) => {
      if (owners) await (isLink ? lchown : chown)(p, h.uid ?? 0, h.gid ?? 0);
    };
    made.add(rel);
    switch (h.type ?? 'file') {
      case 'directory': {
        if (old && !old.isDirectory()) await remove(rel);
        if (!old?.isDirectory()) await mkdir(p);
        await setOwner(false);
        await chmod(p, mode);
        dirTimes.push([p, mtime]);
        safeDirs.add(rel);
        return;
      }
      case 'file':
      case 'contiguous-file': {
        if (old) await remove(rel);
        await pipeline(body, createWriteStream(p, { flags: 'wx', mode: 0o600 }));
        await setOwner(false);
        await chmod(p, mode); // after chown, which clears setuid bits
        await utimes(p, mtime, mtime);
        return;
      }
      case 'symlink': {
        if (old) await remove(rel);
        await symlink(h.linkname ?? '', p);
        await setOwner(true);
        await lutimes(p, mtime, mtime);
        return;
      }
      case 'link': {
        const target = relPath(h.linkname ?? '', what);
        const tdir = posix.dirname(target) === '.' ? '' : posix.dirname(target);
        await ensureDir(tdir);
        const tst = await lstat(join(root, target)).catch(() => undefined);
        if (!tst || tst.isDirectory())
          throw new RunError('RUN_LAYER_UNSAFE', `${what}: hard link /${rel} → /${target}: no such file`);
        if (old) await remove(rel);
        await link(join(root, target), p);
        return;
      }
      default:
        // Devices, fifos: images carry none (the OCI runtime makes /dev); nothing to unpack.
        made.delete(rel);
        return;
    }
  });
  const got = `sha256:${hasher.hash.digest('hex')}`;
  if (got !== layer.diffId)
    throw new RunError(
      'RUN_LAYER_DIGEST_MISMATCH',
      `${what}: its uncompressed content is ${got}, but the image config says ${layer.diffId}`,
    );
  // Directory times last: creating their entries changed them.
  for (const [p, t] of dirTimes.reverse()) await utimes(p, t, t);
}
