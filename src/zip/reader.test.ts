import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ZipError, zipEntries, zipRead } from './index.ts';
import { zip } from './zip-testing.ts';

test('reads entries back; empty files too', () => {
  const z = zip({ 'a.txt': 'hello', empty: '' });
  const es = zipEntries(z);
  assert.deepEqual(
    es.map((e) => [e.name, zipRead(z, e).toString()]),
    [
      ['a.txt', 'hello'],
      ['empty', ''],
    ],
  );
});

test('an entry that inflates past its declared size is refused without inflating it all', () => {
  const z = zip({ 'bomb.jar': Buffer.alloc(32 * 1024 * 1024) });
  const entry = zipEntries(z)[0];
  assert.ok(entry);
  const t0 = performance.now();
  assert.throws(
    () => zipRead(z, { ...entry, size: 10 }),
    (e: unknown) => e instanceof ZipError && e.code === 'ZIP_INVALID' && /does not inflate/.test(e.message),
  );
  assert.ok(performance.now() - t0 < 1000);
});

test('not a zip, truncated data: ZIP_INVALID', () => {
  assert.throws(() => zipEntries(Buffer.from('PK not really')), { code: 'ZIP_INVALID' });
  const z = zip({ 'a.txt': 'x'.repeat(1000) });
  const entry = zipEntries(z)[0];
  assert.ok(entry);
  assert.throws(() => zipRead(z.subarray(0, 40), entry), { code: 'ZIP_INVALID' });
});
