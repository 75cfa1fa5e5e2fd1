/** Layer compression: gzip through node's zlib; zstd through the zstd program (Node 20 has none). */
import { spawn } from 'node:child_process';
import { Duplex, PassThrough } from 'node:stream';
import { constants, createGunzip, createGzip } from 'node:zlib';
import { OciError } from './errors.ts';
import type { Compression } from './media-types.ts';

/**
 * A gzip compressor with a fixed header: node's zlib writes mtime 0, no file name and the OS
 * byte of the build (3, Unix, on Linux), so the same tar gives the same bytes everywhere.
 */
export function gzipStream(level = 6): Duplex {
  return createGzip({ level, memLevel: 8, strategy: constants.Z_DEFAULT_STRATEGY, chunkSize: 256 * 1024 });
}

export function compressStream(c: Compression, level?: number): Duplex {
  if (c === 'gzip') return gzipStream(level);
  // -T0: every core; zstd's output does not depend on the number of worker threads (the same bytes
  // with 1 or 8), so layers stay reproducible across machines.
  if (c === 'zstd') return processStream('zstd', ['-q', '-c', `-${level ?? 3}`, '-T0', '--no-check']);
  return new PassThrough();
}

export function decompressStream(c: Compression): Duplex {
  if (c === 'gzip') return createGunzip();
  if (c === 'zstd') return processStream('zstd', ['-q', '-d', '-c']);
  return new PassThrough();
}

/** A child process as a duplex stream: stdin in, stdout out; a non-zero exit is an error. */
function processStream(cmd: string, args: string[]): Duplex {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const d = Duplex.from({ writable: child.stdin, readable: child.stdout });
  child.on('error', (err) =>
    d.destroy(new OciError('LAYER_SOURCE_INVALID', `cannot run ${cmd}: ${err.message}`, { cause: err })),
  );
  child.on('close', (code) => {
    if (code) d.destroy(new OciError('LAYER_SOURCE_INVALID', `${cmd} exited with ${code}: ${stderr.trim()}`));
  });
  return d;
}
