import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readControl } from './control.ts';
import { memberStream, openDeb } from './reader.ts';
import { makeDeb } from './reader-fixture.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'distill-deb-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const files = [
  { name: './', type: 'directory' as const },
  { name: './usr/', type: 'directory' as const },
  { name: './usr/bin/', type: 'directory' as const },
  { name: './usr/bin/hello', content: '#!hello\n', mode: 0o755 },
  { name: './usr/bin/hi', type: 'symlink' as const, linkname: 'hello' },
];

async function write(name: string, data: Buffer) {
  const p = join(dir, name);
  await writeFile(p, data);
  return p;
}

const hasDpkgDeb = spawnSync('dpkg-deb', ['--version']).status === 0;

for (const [dc, cc] of [
  ['xz', 'xz'],
  ['zstd', 'gzip'],
  ['gzip', 'zstd'],
  ['none', 'none'],
] as const) {
  test(`reads data.tar.${dc} / control.tar.${cc}; dpkg-deb accepts the fixture`, async (t) => {
    const p = await write(
      `t-${dc}.deb`,
      await makeDeb({
        package: 'hello',
        files,
        dataCompression: dc,
        controlCompression: cc,
        md5sums: 'abc  usr/bin/hello\n',
      }),
    );
    const deb = await openDeb(p);
    assert.equal(deb.data.compression, dc);
    assert.equal(deb.control.compression, cc);
    const ctl = await readControl(deb);
    assert.equal(ctl.package, 'hello');
    assert.match(ctl.control, /^Package: hello\nVersion: 1.0-1\n/);
    assert.equal(ctl.md5sums, 'abc  usr/bin/hello\n');
    const chunks: Buffer[] = [];
    for await (const c of memberStream(deb, deb.data)) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).length % 512, 0);
    if (!hasDpkgDeb) {
      if (process.env.CI === 'true') assert.fail('dpkg-deb missing (install dpkg)');
      t.skip('dpkg-deb missing (package dpkg)');
      return;
    }
    const info = spawnSync('dpkg-deb', ['--info', p], { encoding: 'utf8' });
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stdout, /Package: hello/);
    const contents = spawnSync('dpkg-deb', ['--contents', p], { encoding: 'utf8' });
    assert.equal(contents.status, 0, contents.stderr);
    assert.match(contents.stdout, /\.\/usr\/bin\/hi -> hello/);
  });
}

test('unknown compression: DEB_COMPRESSION_UNKNOWN', async () => {
  const p = await write('bz.deb', await makeDeb({ package: 'x', files, dataCompression: 'bz2' }));
  await assert.rejects(openDeb(p), { code: 'DEB_COMPRESSION_UNKNOWN' });
});

test('truncated .deb: DEB_TRUNCATED', async () => {
  const full = await makeDeb({ package: 'x', files });
  for (const cut of [4, 30, 100, full.length - 7]) {
    const p = await write(`cut-${cut}.deb`, full.subarray(0, cut));
    await assert.rejects(openDeb(p), { code: 'DEB_TRUNCATED' }, `cut at ${cut}`);
  }
});

test('not a .deb: DEB_FORMAT_INVALID', async () => {
  const p = await write('junk.deb', Buffer.from('this is not an ar archive at all'));
  await assert.rejects(openDeb(p), { code: 'DEB_FORMAT_INVALID' });
});

test('a corrupt xz member fails with DEB_DECOMPRESS_FAILED', async () => {
  const good = await makeDeb({ package: 'x', files });
  const deb0 = await openDeb(await write('good.deb', good));
  const bad = Buffer.from(good);
  for (let i = deb0.data.offset + 20; i < deb0.data.offset + deb0.data.size - 20; i++) bad[i] = 0x55;
  const deb = await openDeb(await write('bad.deb', bad));
  await assert.rejects(
    (async () => {
      for await (const _ of memberStream(deb, deb.data));
    })(),
    { code: 'DEB_DECOMPRESS_FAILED' },
  );
});

test('a missing decompressor is reported by name', async () => {
  const deb = await openDeb(await write('good2.deb', await makeDeb({ package: 'x', files })));
  const spawnMissing = () => {
    throw Object.assign(new Error('spawn xz ENOENT'), { code: 'ENOENT' });
  };
  await assert.rejects(
    (async () => {
      for await (const _ of memberStream(deb, deb.data, spawnMissing as never));
    })(),
    { code: 'DEB_DECOMPRESS_FAILED', message: /cannot run xz \(install xz-utils\)/ },
  );
});
