import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileEntry } from '../../test/fixtures/assemble/certs.ts';
import type { LayerEntry } from '../oci/tar/entry.ts';
import { busyboxLayer, checkElfArch } from './busybox.ts';
import { busyboxApplets, busyboxVersion } from './busybox-applets.ts';

const NAMES = [
  '[',
  '[[',
  'ash',
  'cat',
  'dpkg-deb',
  'fsck.minix',
  'ls',
  'nbd-client',
  'sh',
  'ssl_client',
  'zcat',
];
const MORE = Array.from({ length: 30 }, (_, i) => `tool${String(i).padStart(2, '0')}`);
const ALL = [...NAMES.slice(0, -1), ...MORE, 'zcat'].sort((a, b) =>
  Buffer.compare(Buffer.from(a), Buffer.from(b)),
);

/** An ELF-looking binary: header for `machine`, filler, a shorter sorted decoy table, the applet table. */
function fakeBusybox(
  opts: { machine?: number; glued?: boolean; names?: string[]; bigEndian?: boolean } = {},
): Buffer {
  const header = Buffer.alloc(64, 0x11);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = 2;
  header[5] = opts.bigEndian ? 2 : 1;
  if (opts.bigEndian) header.writeUInt16BE(opts.machine ?? 62, 18);
  else header.writeUInt16LE(opts.machine ?? 62, 18);
  const decoy = Buffer.from('\0alpha\0beta\0gamma\0delta\0'); // sorted, but short
  const banner = Buffer.from('\0BusyBox v1.37.0 (Debian 1:1.37.0-6+b9) multi-call binary.\0');
  // Debian's 1.37 builds: the table follows a byte array with no NUL in between.
  const before = opts.glued ? Buffer.from([0xae, 0x20]) : Buffer.from([0xae, 0x00]);
  const table = Buffer.from(`${(opts.names ?? ALL).join('\0')}\0\0`, 'latin1');
  return Buffer.concat([
    header,
    Buffer.alloc(100, 0x90),
    decoy,
    banner,
    before,
    table,
    Buffer.from([0xff, 0x01]),
  ]);
}

const pkgWith = (path: string, binary: Buffer): LayerEntry[] => [
  { path: 'usr', type: 'dir', mode: 0o755, uid: 0, gid: 0 },
  fileEntry(path, binary, 0o755),
  fileEntry('usr/share/doc/busybox-static/copyright', 'x'),
];

describe('busyboxApplets', () => {
  it('finds the sorted name table, also when its first name "[" is glued to the bytes before it', () => {
    assert.deepEqual(busyboxApplets(fakeBusybox()), ALL);
    assert.deepEqual(busyboxApplets(fakeBusybox({ glued: true })), ALL);
    const noTest = ALL.filter((n) => !n.startsWith('['));
    assert.deepEqual(busyboxApplets(fakeBusybox({ names: noTest })), noTest);
    assert.equal(busyboxVersion(fakeBusybox()), '1.37.0');
  });

  it('fails with a stable code when there is no table', () => {
    assert.throws(() => busyboxApplets(Buffer.from('\0a\0b\0c\0')), { code: 'BUSYBOX_APPLETS_NOT_FOUND' });
    assert.throws(() => busyboxApplets(Buffer.alloc(0)), { code: 'BUSYBOX_APPLETS_NOT_FOUND' });
  });

  it('reads the same list as `busybox --list` from the host busybox-static', (t) => {
    const bin = '/bin/busybox';
    if (!existsSync(bin)) {
      if (process.env.CI === 'true') throw new Error('busybox missing (Debian package busybox-static)');
      return t.skip('busybox missing (Debian package busybox-static)');
    }
    const listed = execFileSync(bin, ['--list']).toString().trim().split('\n');
    assert.deepEqual(busyboxApplets(readFileSync(bin)), listed);
  });
});

describe('busyboxLayer', () => {
  it('lays out /busybox/busybox and one absolute symlink per applet, and nothing else', async () => {
    const withSelf = [...ALL, 'busybox'].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const bin = fakeBusybox({ glued: true, names: withSelf });
    const r = await busyboxLayer(pkgWith('usr/bin/busybox', bin), 'amd64');
    assert.deepEqual(r.applets, withSelf);
    assert.deepEqual(r.links, ALL);
    assert.equal(r.version, '1.37.0');
    assert.equal(r.entries.length, 2 + ALL.length);
    const m = new Map(r.entries.map((e) => [e.path, e]));
    assert.deepEqual({ ...m.get('busybox') }, { path: 'busybox', type: 'dir', mode: 0o755, uid: 0, gid: 0 });
    const b = m.get('busybox/busybox') as LayerEntry;
    assert.equal(b.type, 'file');
    assert.equal(b.mode, 0o755);
    assert.ok(b.content);
    assert.ok(((await b.content()) as Buffer).equals(bin));
    for (const a of ALL) {
      const l = m.get(`busybox/${a}`);
      assert.equal(l?.type, 'symlink', a);
      assert.equal(l?.linkname, '/busybox/busybox');
      assert.equal(l?.uid, 0);
    }
    assert.ok(r.entries.every((e) => e.path === 'busybox' || e.path.startsWith('busybox/')));
    // bookworm's package layout (no merged /usr) works the same.
    const old = await busyboxLayer(pkgWith('bin/busybox', fakeBusybox()), 'amd64');
    assert.deepEqual(old.applets, ALL);
  });

  it('refuses a binary of another architecture, a non-ELF file and a package without busybox', async () => {
    const arm = fakeBusybox({ machine: 183 });
    assert.equal((await busyboxLayer(pkgWith('usr/bin/busybox', arm), 'arm64')).applets.length, ALL.length);
    await assert.rejects(busyboxLayer(pkgWith('usr/bin/busybox', arm), 'amd64'), {
      code: 'BUSYBOX_ARCH_MISMATCH',
    });
    await assert.rejects(busyboxLayer(pkgWith('usr/bin/busybox', fakeBusybox()), 'arm64'), {
      code: 'BUSYBOX_ARCH_MISMATCH',
    });
    await assert.rejects(busyboxLayer(pkgWith('usr/bin/busybox', Buffer.from('#!/bin/sh\n')), 'amd64'), {
      code: 'BUSYBOX_ARCH_MISMATCH',
    });
    await assert.rejects(busyboxLayer(pkgWith('usr/bin/busybox', fakeBusybox()), 'vax'), {
      code: 'BUSYBOX_ARCH_MISMATCH',
    });
    await assert.rejects(busyboxLayer(pkgWith('usr/bin/other', fakeBusybox()), 'amd64'), {
      code: 'BUSYBOX_NOT_FOUND',
    });
    const link: LayerEntry = {
      path: 'bin/busybox',
      type: 'symlink',
      linkname: 'x',
      mode: 0o777,
      uid: 0,
      gid: 0,
    };
    await assert.rejects(busyboxLayer([link], 'amd64'), { code: 'BUSYBOX_NOT_FOUND' });
    const noTable = Buffer.concat([fakeBusybox().subarray(0, 64), Buffer.alloc(64)]);
    await assert.rejects(busyboxLayer(pkgWith('usr/bin/busybox', noTable), 'amd64'), {
      code: 'BUSYBOX_APPLETS_NOT_FOUND',
    });
  });

  it('reads the machine of big-endian ELF files too', () => {
    assert.doesNotThrow(() => checkElfArch(fakeBusybox({ machine: 22, bigEndian: true }), 's390x', 'x'));
    assert.throws(() => checkElfArch(fakeBusybox({ machine: 22, bigEndian: true }), 'amd64', 'x'), {
      code: 'BUSYBOX_ARCH_MISMATCH',
    });
  });
});
