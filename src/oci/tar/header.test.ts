import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { encodeHeader } from './header.ts';

describe('encodeHeader', () => {
  it('writes a PAX size record for files of 8 GiB and more, which GNU tar reads', () => {
    const size = 10 * 1024 ** 3 + 3;
    const h = encodeHeader({ path: 'huge.img', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, size });
    assert.equal(h.length, 3 * 512); // PAX header, PAX body, ustar header
    assert.match(h.subarray(512, 1024).toString('utf8'), new RegExp(`^\\d+ size=${size}\n`));
    // GNU tar lists the entry with its true size before noticing the data is absent.
    const r = spawnSync('tar', ['-tvf', '-'], { input: h });
    assert.match(r.stdout.toString(), new RegExp(` ${size} .* huge\\.img`));
  });

  it('uses PAX records for big ids and negative times, ustar for the rest', () => {
    const plain = encodeHeader({
      path: 'a',
      type: 'file',
      mode: 0o644,
      uid: 1000,
      gid: 1000,
      mtime: 1,
      size: 0,
    });
    assert.equal(plain.length, 512);
    assert.equal(plain.subarray(257, 263).toString('binary'), 'ustar\0');
    const big = encodeHeader({
      path: 'a',
      type: 'file',
      mode: 0o644,
      uid: 3_000_000,
      gid: 0,
      mtime: -5,
      size: 0,
    });
    const body = big.subarray(512, 1024).toString('utf8');
    assert.match(body, /uid=3000000\n/);
    assert.match(body, /mtime=-5\n/);
  });

  it('computes a checksum GNU tar accepts', () => {
    const h = Buffer.concat([
      encodeHeader({ path: 'dir', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: 0, size: 0 }),
      Buffer.alloc(1024),
    ]);
    const r = spawnSync('tar', ['-tvf', '-'], { input: h });
    assert.equal(r.status, 0, r.stderr.toString());
    assert.match(r.stdout.toString(), /^drwxr-xr-x .* dir\/$/m);
  });
});
