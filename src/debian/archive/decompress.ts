/**
 * Decompression of Packages indexes: gzip through zlib; xz through the `xz` program (xz-utils),
 * which is several times faster than any JavaScript xz decoder and present wherever apt is.
 * The spawn is a parameter so tests can run without it.
 */

import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { spawnProcess as nodeSpawn } from '../../platform/index.ts';
import { DebianError } from '../errors.ts';

/** The compressions indexes come in, preferred first. */
export type IndexCompression = 'xz' | 'gz';

/** The spawn port: the subset of child_process.spawn used here. */
export type { SpawnFn } from '../../platform/index.ts';

import type { SpawnFn } from '../../platform/index.ts';

const gunzipAsync = promisify(gunzip);

/** Decompresses index data; throws DEBIAN_DECOMPRESS_FAILED on corrupt data or a missing `xz`. */
export async function decompress(
  data: Uint8Array,
  kind: IndexCompression,
  spawn: SpawnFn = nodeSpawn,
): Promise<Buffer> {
  if (kind === 'gz') {
    try {
      return await gunzipAsync(data);
    } catch (err) {
      throw new DebianError('DEBIAN_DECOMPRESS_FAILED', `gzip data is corrupt: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  return new Promise<Buffer>((resolve, reject) => {
    const child = spawn('xz', ['--decompress', '--stdout', '--quiet'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) =>
      reject(
        new DebianError('DEBIAN_DECOMPRESS_FAILED', `cannot run xz (install xz-utils): ${e.message}`, {
          cause: e,
        }),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else
        reject(
          new DebianError(
            'DEBIAN_DECOMPRESS_FAILED',
            `xz data is corrupt: ${Buffer.concat(err).toString().trim()}`,
          ),
        );
    });
    child.stdin?.on('error', () => {}); // xz may exit early on corrupt input; the close handler reports it.
    child.stdin?.end(data);
  });
}
