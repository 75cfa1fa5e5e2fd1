import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LayerEntry } from '../oci/index.ts';
import { slimDrops, slimEntries } from './slim.ts';

describe('slim', () => {
  it('drops docs, man and info pages, lintian overrides and translations, keeping copyrights', () => {
    for (const p of [
      'usr/share/man/man1/python3.13.1.gz',
      'usr/share/info/dir',
      'usr/share/doc/libc6/changelog.Debian.gz',
      'usr/share/doc/libc6/NEWS.gz',
      'usr/share/doc/libc6/examples/x.c',
      'usr/share/lintian/overrides/libc6',
      'usr/share/locale/de/LC_MESSAGES/libc.mo',
      'usr/share/man',
    ]) {
      assert.ok(slimDrops(p), p);
    }
    for (const p of [
      'usr/share/doc/libc6/copyright',
      'usr/share/doc/libc6',
      'usr/share/doc',
      'usr/share',
      'usr/lib/locale/C.utf8/LC_CTYPE',
      'var/lib/dpkg/status.d/libc6',
      'usr/share/zoneinfo/UTC',
      'usr/share/manual',
    ]) {
      assert.ok(!slimDrops(p), p);
    }
  });

  it("drops the JVM's CDS archives for opt-in modes, keeping the default one", () => {
    for (const p of [
      'usr/lib/jvm/java-21-openjdk-amd64/lib/server/classes_nocoops.jsa',
      'usr/lib/jvm/java-25-openjdk-arm64/lib/server/classes_coh.jsa',
      'usr/lib/jvm/java-25-openjdk-arm64/lib/server/classes_nocoops_coh.jsa',
    ])
      assert.ok(slimDrops(p), p);
    for (const p of [
      'usr/lib/jvm/java-21-openjdk-amd64/lib/server/classes.jsa',
      'usr/lib/jvm/java-21-openjdk-amd64/lib/server/libjvm.so',
      'usr/lib/jvm/java-21-openjdk-amd64/lib/classes_nocoops.jsa',
    ])
      assert.ok(!slimDrops(p), p);
  });

  it('counts the bytes it saves', () => {
    const f = (path: string, size: number): LayerEntry => ({
      path,
      type: 'file',
      mode: 0o644,
      uid: 0,
      gid: 0,
      size,
      content: () => Buffer.alloc(size),
    });
    const r = slimEntries([
      f('usr/share/doc/a/copyright', 10),
      f('usr/share/doc/a/changelog.gz', 100),
      f('usr/share/man/man1/a.1.gz', 7),
      f('usr/bin/a', 5),
    ]);
    assert.deepEqual(
      r.entries.map((e) => e.path),
      ['usr/share/doc/a/copyright', 'usr/bin/a'],
    );
    assert.equal(r.savedBytes, 107);
    assert.equal(r.dropped, 2);
  });
});
