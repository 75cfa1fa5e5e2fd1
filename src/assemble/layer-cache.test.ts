import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LayerEntry } from '../oci/index.ts';
import { openCache } from '../platform/cache.ts';
import { cachedLayer, type LayerWriteEvent } from './layer-cache.ts';

const file = (path: string, text: string): LayerEntry => ({
  path,
  type: 'file',
  mode: 0o644,
  uid: 0,
  gid: 0,
  size: Buffer.byteLength(text),
  content: () => Buffer.from(text),
});

test('cachedLayer tells onWrite when it writes a layer (entries, bytes, then sizes), and nothing on a cache hit', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'distill-layer-cache-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const cache = await openCache(dir);
  const entries = [
    { path: 'etc', type: 'dir', mode: 0o755, uid: 0, gid: 0 } as LayerEntry,
    file('etc/a', 'x'.repeat(1000)),
    file('etc/b', 'hello'),
  ];
  const events: LayerWriteEvent[] = [];
  const opts = { mtime: 0, onWrite: (e: LayerWriteEvent) => events.push(e) };
  const made = await cachedLayer(cache, { k: 1 }, async () => entries, opts);
  assert.equal(made.cached, false);
  assert.deepEqual(events, [
    { type: 'write-start', entries: 3, bytes: 1005 },
    { type: 'write-done', size: made.descriptor.size, uncompressedSize: made.uncompressedSize },
  ]);
  events.length = 0;
  const hit = await cachedLayer(cache, { k: 1 }, async () => entries, opts);
  assert.equal(hit.cached, true);
  assert.deepEqual(events, []);
});
