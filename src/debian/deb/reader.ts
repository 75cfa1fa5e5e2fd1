/**
 * Opens a .deb (ar: debian-binary, control.tar.*, data.tar.*) and streams its members decompressed.
 * xz and zstd run as child processes (`xz -dc -T0`, `zstd -dc`) for native speed on all cores;
 * gzip uses node's zlib. The package is never loaded whole into memory.
 */
import { type ChildProcess, spawn as nodeSpawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { type ArMember, readArMembers } from './ar.ts';
import { DebError } from './errors.ts';

/** Compressions a .deb member may use. */
export type DebCompression = 'xz' | 'zstd' | 'gzip' | 'none';

/** A control.tar/data.tar member and its compression. */
export interface DebMember extends ArMember {
  compression: DebCompression;
}

/** An opened .deb: its path, size and the two members distill reads. */
export interface DebFile {
  path: string;
  size: number;
  control: DebMember;
  data: DebMember;
}

/** The process spawner (injected so tests can make a decompressor fail). */
export type { SpawnFn } from '../../platform/index.ts';

import type { SpawnFn } from '../../platform/index.ts';

const defaultSpawn: SpawnFn = (cmd, args) => nodeSpawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });

const EXT: Record<string, DebCompression> = { '': 'none', '.xz': 'xz', '.zst': 'zstd', '.gz': 'gzip' };

function classify(m: ArMember, stem: string, what: string): DebMember {
  const ext = m.name.slice(stem.length);
  const compression = EXT[ext];
  if (!compression)
    throw new DebError(
      'DEB_COMPRESSION_UNKNOWN',
      `${what}: ${m.name} uses a compression distill does not read (xz, zstd, gzip or none)`,
    );
  return { ...m, compression };
}

/** Reads the ar headers of the .deb at `path` and checks it is a Debian binary package (format 2.x). */
export async function openDeb(path: string, what: string = path): Promise<DebFile> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const members = await readArMembers(fh, size, what);
    const first = members[0];
    if (first?.name !== 'debian-binary')
      throw new DebError('DEB_FORMAT_INVALID', `${what}: first ar member is not debian-binary`);
    const ver = Buffer.alloc(Math.min(first.size, 16));
    await fh.read(ver, 0, ver.length, first.offset);
    if (!/^2\.\d+\n/.test(ver.toString('latin1')))
      throw new DebError(
        'DEB_FORMAT_INVALID',
        `${what}: unsupported package format ${JSON.stringify(ver.toString())}`,
      );
    const control = members.find((m) => m.name.startsWith('control.tar'));
    const data = members.find((m) => m.name.startsWith('data.tar'));
    if (!control || !data)
      throw new DebError(
        'DEB_FORMAT_INVALID',
        `${what}: missing ${control ? 'data.tar' : 'control.tar'} member`,
      );
    return {
      path,
      size,
      control: classify(control, 'control.tar', what),
      data: classify(data, 'data.tar', what),
    };
  } finally {
    await fh.close();
  }
}

/** The decompressed bytes of a member. Errors surface as DEB_DECOMPRESS_FAILED on the stream. */
export function memberStream(deb: DebFile, m: DebMember, spawn: SpawnFn = defaultSpawn): Readable {
  const raw =
    m.size === 0
      ? emptyStream()
      : createReadStream(deb.path, { start: m.offset, end: m.offset + m.size - 1, highWaterMark: 1 << 20 });
  const what = `${deb.path}: ${m.name}`;
  if (m.compression === 'none') return raw;
  if (m.compression === 'gzip') {
    const out = new PassThrough();
    const gunzip = createGunzip();
    const fail = (err: Error) =>
      out.destroy(new DebError('DEB_DECOMPRESS_FAILED', `${what}: ${err.message}`, { cause: err }));
    raw.on('error', fail);
    gunzip.on('error', fail);
    raw.pipe(gunzip).pipe(out);
    // A consumer that stops early must not leave the package file open.
    out.on('close', () => {
      raw.destroy();
      gunzip.destroy();
    });
    return out;
  }
  const [cmd, args, pkg] =
    m.compression === 'xz' ? ['xz', ['-dc', '-T0'], 'xz-utils'] : ['zstd', ['-dc', '-q'], 'zstd'];
  return spawnFilter(raw, cmd, args as string[], pkg as string, what, spawn);
}

function emptyStream(): Readable {
  const p = new PassThrough();
  p.end();
  return p;
}

/** Pipes `input` through a child process; the output ends only after the child exits 0. */
function spawnFilter(
  input: Readable,
  cmd: string,
  args: string[],
  pkg: string,
  what: string,
  spawn: SpawnFn,
): Readable {
  const out = new PassThrough();
  let child: ChildProcess;
  try {
    child = spawn(cmd, args);
  } catch (err) {
    queueMicrotask(() =>
      out.destroy(
        new DebError('DEB_DECOMPRESS_FAILED', `${what}: cannot run ${cmd} (install ${pkg})`, { cause: err }),
      ),
    );
    return out;
  }
  let stderr = '';
  let failed = false;
  const fail = (msg: string, cause?: unknown) => {
    if (failed) return;
    failed = true;
    input.destroy();
    child.kill('SIGKILL');
    out.destroy(new DebError('DEB_DECOMPRESS_FAILED', `${what}: ${msg}`, { cause }));
  };
  child.on('error', (err: NodeJS.ErrnoException) =>
    fail(err.code === 'ENOENT' ? `${cmd} not found (install ${pkg})` : err.message, err),
  );
  child.stderr?.on('data', (b: Buffer) => {
    if (stderr.length < 4000) stderr += b.toString();
  });
  // The child may exit early on corrupt input: its stdin then closes with EPIPE, which is not the story.
  child.stdin?.on('error', () => {});
  input.on('error', (err) => fail(`reading the package: ${err.message}`, err));
  // spawned with stdio 'pipe', so both streams exist
  input.pipe(child.stdin as NonNullable<typeof child.stdin>);
  child.stdout?.pipe(out, { end: false });
  child.on('close', (code, signal) => {
    if (failed) return;
    if (code === 0) out.end();
    else fail(`${cmd} failed (${signal ?? `exit ${code}`}): ${stderr.trim() || 'no message'}`);
  });
  // A consumer that stops early (abort, error elsewhere) must not leave the child running.
  out.on('close', () => {
    input.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return out;
}
