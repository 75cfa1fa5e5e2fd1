import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { holdTemp, removeHeldTemps, sweepTemps, tempPath } from './temp-files.ts';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const fresh = async () => {
  const d = await mkdtemp(join(tmpdir(), 'distill-temps-'));
  dirs.push(d);
  return d;
};

/** A pid that is certainly not running: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(String(r.stdout));
}

test("sweep: a dead pid's temp goes, a live one's and other files stay; old pid-less names go after an hour", async () => {
  const d = await fresh();
  const dead = deadPid();
  await writeFile(join(d, `.app.tar.tmp-${dead}-abcdef012345`), 'x');
  await mkdir(join(d, `.tmp-${dead}-abcdef012346`));
  await writeFile(join(d, `.app.tar.tmp-${process.pid}-abcdef012347`), 'mine');
  await writeFile(join(d, '.tmp-0123456789ab'), 'old style, fresh');
  await writeFile(join(d, '.tmp-0123456789ac'), 'old style, old');
  await utimes(join(d, '.tmp-0123456789ac'), 1, 1);
  await writeFile(join(d, 'app.tar'), 'keep');
  await writeFile(join(d, '.other.tar.tmp-1-abcdef012348'), 'other base');
  // Another container's run (other host hash) whose pid means nothing here: kept until a day old.
  await writeFile(join(d, `.tmp-${dead}-00000000-abcdef01234a`), 'another host');
  await writeFile(join(d, `.tmp-${dead}-00000000-abcdef01234b`), 'another host, old');
  await utimes(join(d, `.tmp-${dead}-00000000-abcdef01234b`), 1, 1);
  assert.equal(await sweepTemps(d, 'app.tar'), 1);
  assert.equal(await sweepTemps(d, ''), 3);
  assert.deepEqual((await readdir(d)).sort(), [
    `.app.tar.tmp-${process.pid}-abcdef012347`,
    '.other.tar.tmp-1-abcdef012348',
    '.tmp-0123456789ab',
    `.tmp-${dead}-00000000-abcdef01234a`,
    'app.tar',
  ]);
  assert.equal(await sweepTemps(join(d, 'missing')), 0);
});

test('held temporary paths are removed on demand (the signal handler), released ones are not', async () => {
  const d = await fresh();
  const a = tempPath(d, 'x');
  const b = tempPath(d);
  assert.match(a, new RegExp(`\\.x\\.tmp-${process.pid}-[0-9a-f]{8}-[0-9a-f]{12}$`));
  await writeFile(a, 'a');
  await mkdir(b);
  await writeFile(join(b, 'inner'), 'b');
  holdTemp(a);
  const release = holdTemp(b);
  release();
  assert.equal(removeHeldTemps(), 1);
  assert.deepEqual(await readdir(d), [b.split('/').pop()]);
});
