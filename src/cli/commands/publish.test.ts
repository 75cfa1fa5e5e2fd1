import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultStamp } from './publish.ts';

test('the default stamp: the UTC date alone; shards take SOURCE_DATE_EPOCH’s date, or must be told', () => {
  const beforeMidnight = Date.UTC(2026, 11, 5, 23, 59, 30);
  assert.equal(defaultStamp(false, {}, beforeMidnight), '20261205');
  assert.equal(defaultStamp(false, {}, beforeMidnight + 60_000), '20261206');
  // Every shard of one CI run shares SOURCE_DATE_EPOCH, whatever its clock says.
  const env = { SOURCE_DATE_EPOCH: String(beforeMidnight / 1000) };
  assert.equal(defaultStamp(true, env, beforeMidnight + 60_000), '20261205');
  assert.throws(
    () => defaultStamp(true, {}, beforeMidnight),
    (e: Error & { code?: string }) => e.code === 'CLI_USAGE' && /--shard needs --stamp/.test(e.message),
  );
});
