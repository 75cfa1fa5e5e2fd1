import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ARCHIVE_RETRY } from '../../platform/retry.ts';
import type { SpawnFn } from '../../platform/spawn.ts';
import { decompress } from './decompress.ts';
import { getBytes } from './http.ts';

const noSleep = { sleep: async () => {} };

test('gzip and xz index data decompress; corrupt data fails with DEBIAN_DECOMPRESS_FAILED', async (t) => {
  const text = Buffer.from('Package: a\nVersion: 1\n'.repeat(1000));
  assert.deepEqual(await decompress(gzipSync(text), 'gz'), text);
  await assert.rejects(decompress(Buffer.from('not gzip'), 'gz'), { code: 'DEBIAN_DECOMPRESS_FAILED' });
  if (spawnSync('xz', ['--version']).status !== 0) {
    if (process.env.CI === 'true') assert.fail('xz is missing (package xz-utils)');
    t.skip('xz not installed (package xz-utils)');
    return;
  }
  const xz = execFileSync('xz', ['-c'], { input: text });
  assert.deepEqual(await decompress(xz, 'xz'), text);
  const broken = Buffer.from(xz);
  const mid = broken.length >> 1;
  broken[mid] = (broken[mid] ?? 0) ^ 0xff;
  await assert.rejects(decompress(broken, 'xz'), { code: 'DEBIAN_DECOMPRESS_FAILED' });
  await assert.rejects(decompress(xz.subarray(0, xz.length - 10), 'xz'), {
    code: 'DEBIAN_DECOMPRESS_FAILED',
  });
});

test('without the xz program the error says which package to install', async () => {
  const missing: SpawnFn = (_cmd, args, opts = {}) => spawn('/nonexistent/xz', args, opts);
  await assert.rejects(decompress(Buffer.from('x'), 'xz', missing), {
    code: 'DEBIAN_DECOMPRESS_FAILED',
    message: /xz-utils/,
  });
});

test('getBytes retries network errors, 5xx and 429, and broken bodies; 404 is DEBIAN_NOT_FOUND at once', async () => {
  const script: (() => Response)[] = [
    () => {
      throw new TypeError('fetch failed');
    },
    () => new Response('busy', { status: 503 }),
    () =>
      new Response(
        new ReadableStream({
          start(c) {
            c.enqueue(new Uint8Array([1]));
            c.error(new Error('connection reset'));
          },
        }),
      ),
    () => new Response('slow down', { status: 429 }),
    () => new Response('ok'),
  ];
  let calls = 0;
  const fetchFn = async () => (script[calls++] as () => Response)();
  const body = await getBytes(fetchFn, 'http://x.invalid/a', {
    ...noSleep,
    policy: { ...ARCHIVE_RETRY, attempts: 5 },
  });
  assert.equal(Buffer.from(body).toString(), 'ok');
  assert.equal(calls, 5);

  let n = 0;
  await assert.rejects(
    getBytes(
      async () => {
        n++;
        return new Response('', { status: 404 });
      },
      'http://x.invalid/b',
      noSleep,
    ),
    { code: 'DEBIAN_NOT_FOUND' },
  );
  assert.equal(n, 1);
  n = 0;
  await assert.rejects(
    getBytes(
      async () => {
        n++;
        return new Response('', { status: 403 });
      },
      'http://x.invalid/c',
      noSleep,
    ),
    { code: 'DEBIAN_FETCH_FAILED', message: /403/ },
  );
  assert.equal(n, 1, 'a 403 is not retried');
  n = 0;
  await assert.rejects(
    getBytes(
      async () => {
        n++;
        return new Response('', { status: 502 });
      },
      'http://x.invalid/d',
      {
        ...noSleep,
        policy: { ...ARCHIVE_RETRY, attempts: 3 },
      },
    ),
    { code: 'DEBIAN_FETCH_FAILED' },
  );
  assert.equal(n, 3);
});

test('backoff doubles between attempts', async () => {
  const waits: number[] = [];
  await assert.rejects(
    getBytes(async () => new Response('', { status: 500 }), 'http://x.invalid/e', {
      policy: { ...ARCHIVE_RETRY, backoff: { firstMs: 100 } },
      sleep: async (ms) => {
        waits.push(ms);
      },
    }),
  );
  assert.deepEqual(waits, [100, 200, 400]);
});
