import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eachLimit, limiter } from './concurrency.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('eachLimit: every item once with its index, never more than the limit at once', async () => {
  let live = 0;
  let most = 0;
  const seen: [string, number][] = [];
  await eachLimit(['a', 'b', 'c', 'd', 'e'], 2, async (x, i) => {
    most = Math.max(most, ++live);
    await tick(5);
    seen.push([x, i]);
    live--;
  });
  assert.equal(most, 2);
  assert.deepEqual(seen.sort(), [
    ['a', 0],
    ['b', 1],
    ['c', 2],
    ['d', 3],
    ['e', 4],
  ]);
  await eachLimit([], 4, async () => assert.fail('no items, no calls'));
});

test('eachLimit: the first failure rejects after the running ones settle, and stops new work', async () => {
  const started: number[] = [];
  let settled = 0;
  await assert.rejects(
    eachLimit([0, 1, 2, 3, 4, 5], 2, async (_x, i) => {
      started.push(i);
      await tick(i === 0 ? 1 : 10);
      settled++;
      if (i === 0) throw new Error('boom');
    }),
    /boom/,
  );
  assert.equal(settled, started.length, 'nothing still running when it rejected');
  assert.ok(started.length < 6, 'no new work after the failure');
});

test('limiter: at most n tasks run together, results and errors pass through', async () => {
  const gate = limiter(2);
  let live = 0;
  let most = 0;
  const run = (v: number) =>
    gate(async () => {
      most = Math.max(most, ++live);
      await tick(5);
      live--;
      if (v < 0) throw new Error('negative');
      return v * 2;
    });
  const out = await Promise.allSettled([run(1), run(2), run(-1), run(4)]);
  assert.equal(most, 2);
  assert.deepEqual(
    out.map((r) => (r.status === 'fulfilled' ? r.value : 'x')),
    [2, 4, 'x', 8],
  );
});

test('limiter: a task arriving just as another finishes does not run beside the woken waiter', async () => {
  const gate = limiter(1);
  let running = 0;
  let most = 0;
  const enter = () => {
    running++;
    most = Math.max(most, running);
  };
  const slow = async () => {
    enter();
    await new Promise((r) => setTimeout(r, 5));
    running--;
  };
  let release = () => {};
  const done = new Promise<void>((r) => {
    release = r;
  }).then(() => {
    running--;
  });
  const first = gate(() => {
    enter();
    return done;
  });
  const second = gate(slow); // waits for the slot
  // Reacts to the first task's promise right after the gate does: the slot is free for a moment
  // before the woken second task runs. Before the fix the third took it and ran beside the second.
  const third = done.then(() => gate(slow));
  release();
  await Promise.all([first, second, third]);
  assert.equal(most, 1);
});
