/**
 * The applet list read from Debian's real busybox-static binaries (bookworm 1.35, trixie 1.37;
 * amd64 and arm64) equals what each binary prints for `busybox --list` — run natively on amd64
 * and under qemu-aarch64-static for arm64 (the test's cross-check only; the build never runs it).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { arch as hostArch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { realPackage } from '../../test/fixtures/assemble/debian-packages.ts';
import { busyboxLayer } from './busybox.ts';

/** How to run a binary of `arch` here, or undefined (skip, naming the missing package). */
function runner(arch: string): string[] | undefined {
  if (arch === 'amd64' && hostArch() === 'x64') return [];
  if (arch === 'arm64' && hostArch() === 'arm64') return [];
  if (arch === 'arm64') {
    try {
      execFileSync('qemu-aarch64-static', ['-version'], { stdio: 'ignore' });
      return ['qemu-aarch64-static'];
    } catch {
      return undefined;
    }
  }
  return undefined;
}

describe('busyboxLayer on the real busybox-static packages', () => {
  for (const debian of [12, 13] as const) {
    for (const arch of ['amd64', 'arm64']) {
      it(`debian${debian} ${arch}: applets read from the binary equal its own --list`, async (t) => {
        const run = runner(arch);
        if (!run) {
          const msg = `cannot run ${arch} binaries here (Debian package qemu-user-static)`;
          if (process.env.CI === 'true') throw new Error(msg);
          return t.skip(msg);
        }
        const pkg = await realPackage(t, debian, arch, 'busybox-static');
        if (!pkg) return;
        const r = await busyboxLayer(pkg.entries, arch);
        const dir = mkdtempSync(join(tmpdir(), 'distill-busybox-'));
        try {
          const bin = join(dir, 'busybox');
          const entry = r.entries.find((e) => e.path === 'busybox/busybox');
          writeFileSync(bin, (await entry?.content?.()) as Buffer);
          chmodSync(bin, 0o755);
          const [cmd, ...pre] = [...run, bin];
          const listed = execFileSync(cmd as string, [...pre, '--list'])
            .toString()
            .trim()
            .split('\n');
          assert.deepEqual(r.applets, listed);
          const banner = execFileSync(cmd as string, [...pre]).toString();
          assert.match(banner, new RegExp(`BusyBox v${r.version?.replace(/\./g, '\\.')}`));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
        assert.ok(r.applets.length > 200, `${r.applets.length} applets`);
        assert.ok(r.applets.includes('sh'));
        assert.equal(r.entries.length, 2 + r.links.length);
        assert.ok(!r.entries.some((e) => e.path === 'bin/sh' || e.path === 'usr/bin/sh'));
        t.diagnostic(
          `busybox-static ${pkg.version} ${arch}: BusyBox ${r.version}, ${r.applets.length} applets, ${r.links.length} links`,
        );
      });
    }
  }
});
