import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { END_OF_ARCHIVE, encodeHeader } from '../tar/header.ts';
import { indexTar } from './tar-index.ts';

test('sizes of 8 GiB and more are written base-256 and read back without reading the data', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'distill-tarindex-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const p = join(dir, 'big.tar');
  const size = 9 * 1024 ** 3 + 5;
  const fh = await open(p, 'w');
  await fh.write(
    encodeHeader(
      { path: 'big.bin', type: 'file', size, mode: 0o644, uid: 0, gid: 0, mtime: 0 },
      { oneBlock: true },
    ),
    0,
    512,
    0,
  );
  const end = 512 + Math.ceil(size / 512) * 512;
  // A sparse file: the data is holes, only the headers are real.
  await fh.write(END_OF_ARCHIVE, 0, 1024, end);
  await fh.close();
  const entries = await indexTar(p);
  assert.equal(entries.get('big.bin')?.size, size);
  // GNU tar reads the header the same way.
  const listing = execFileSync('tar', ['-tvf', p], { encoding: 'utf8' });
  assert.match(listing, new RegExp(` ${size} `));
});

test('GNU tar long names and PAX paths are indexed under their full names', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'distill-tarindex-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const long = `${'d'.repeat(120)}/f.txt`;
  execFileSync('sh', [
    '-c',
    `cd ${dir} && mkdir -p ${'d'.repeat(120)} && echo hi > ${long} && tar --format=gnu -cf gnu.tar ${long} && tar --format=posix -cf pax.tar ${long}`,
  ]);
  for (const f of ['gnu.tar', 'pax.tar']) {
    const e = (await indexTar(join(dir, f))).get(long);
    assert.equal(e?.size, 3, f);
  }
});
