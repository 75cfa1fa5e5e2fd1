// ld.so.cache against glibc's own ldconfig: the same image tree scanned by `ldconfig -r ROOT` and by
// buildLdSoCache must give the same bytes (amd64 with the host's and Debian 13's ldconfig; arm64 with
// Debian 12's and 13's arm64 ldconfig under qemu-aarch64-static).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EM_X86_64 } from '../elf/machine.ts';
import { buildElf } from '../elf/testing/build-elf.ts';
import { ARM64_PACKAGES, foreignDebsRoot, have } from '../elf/testing/foreign-debs.ts';
import { dirEntries } from '../oci/tar/dir-entries.ts';
import {
  buildLdSoCache,
  dirRootFs,
  entriesRootFs,
  FLAG_AARCH64_LIB64,
  FLAG_ELF_LIBC6,
  ldSoCacheLayerEntry,
  readLdSoCache,
} from './ldcache.ts';

const CI = process.env.CI === 'true';
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'distill-ldcache-'));
  dirs.push(d);
  return d;
}
function skipOrFail(t: { skip(m: string): void }, why: string): void {
  if (CI) assert.fail(why);
  t.skip(why);
}

const HOST = '/usr/lib/x86_64-linux-gnu';
const HOST_LIBS = [
  'ld-linux-x86-64.so.2',
  'libc.so.6',
  'libc.so',
  'libm.so.6',
  'libcrypto.so',
  'libcrypto.so.3',
  'libssl.so',
  'libssl.so.3',
  'libz.so',
  'libz.so.1',
  'libffi.so',
  'libffi.so.8',
  'libsqlite3.so',
  'libsqlite3.so.0',
  'libstdc++.so.6',
  'libgcc_s.so.1',
];

/** Copies a host library (and what its symlink points to) keeping symlinks verbatim. */
async function copyLib(name: string, into: string): Promise<void> {
  const src = join(HOST, name);
  if (!existsSync(src)) return;
  if (lstatSync(src).isSymbolicLink()) {
    const target = readlinkSync(src);
    if (!existsSync(join(into, name))) await symlink(target, join(into, name));
    const base = target.slice(target.lastIndexOf('/') + 1);
    if (base !== name) await copyLib(base, into);
  } else if (!existsSync(join(into, name))) {
    await copyFile(src, join(into, name));
  }
}

/** An amd64 image tree: merged /usr, real libraries, and the odd files ldconfig has rules for. */
async function amd64Tree(): Promise<string> {
  const root = await tmp();
  const lib = join(root, 'usr/lib/x86_64-linux-gnu');
  await mkdir(lib, { recursive: true });
  await mkdir(join(root, 'usr/lib64'), { recursive: true });
  await symlink('usr/lib', join(root, 'lib'));
  await symlink('usr/lib64', join(root, 'lib64'));
  await symlink('/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', join(root, 'usr/lib64/ld-linux-x86-64.so.2'));
  for (const n of HOST_LIBS) await copyLib(n, lib);
  // Odd cases: a dangling link, a link that is neither soname nor dev link, a second file with
  // the same soname, a directory and a non-library with library names, a truncated library, a
  // linker script, an executable (ET_EXEC), a synthetic library with a soname, a wrong machine.
  await symlink('libnothere.so.1', join(lib, 'libdangling.so.1'));
  await symlink('libssl.so.3', join(lib, 'libweird.so.5'));
  if (existsSync(join(lib, 'libz.so.1'))) await copyFile(join(lib, 'libz.so.1'), join(lib, 'libzcopy.so.9'));
  await mkdir(join(lib, 'libdir.so.1'));
  await writeFile(join(lib, 'notalib.so.1'), 'x');
  await writeFile(join(lib, 'libtrunc.so.1'), (await readFile(join(HOST, 'libssl.so.3'))).subarray(0, 100));
  await writeFile(
    join(lib, 'libscript.so'),
    '/* GNU ld script\n   Use the shared library.  */\nGROUP ( /lib/x86_64-linux-gnu/libc.so.6 )\n',
  );
  await writeFile(
    join(lib, 'libexec.so.1'),
    buildElf({ bits: 64, machine: EM_X86_64, type: 2, soname: 'libexec.so.1' }),
  );
  await writeFile(
    join(lib, 'libsynth.so.7.0'),
    buildElf({ bits: 64, machine: EM_X86_64, soname: 'libsynth.so.7' }),
  );
  await symlink('libsynth.so.7.0', join(lib, 'libsynth.so.7'));
  await writeFile(join(lib, 'libarm.so.1'), buildElf({ bits: 64, machine: 183, soname: 'libarm.so.1' }));
  await writeFile(
    join(lib, 'libx.so.1.dpkg-new'),
    buildElf({ bits: 64, machine: EM_X86_64, soname: 'libx.so.1' }),
  );
  // /usr/local/lib: a 32-bit x86 library (flag libc6 only) and a second copy of a 64-bit one.
  await mkdir(join(root, 'usr/local/lib'), { recursive: true });
  await writeFile(
    join(root, 'usr/local/lib/libsynth.so.7'),
    buildElf({ bits: 32, machine: 3, soname: 'libsynth.so.7' }),
  );
  if (existsSync(join(lib, 'libffi.so.8')))
    await cp(join(HOST, 'libffi.so.8'), join(root, 'usr/local/lib/libffi.so.8'), { dereference: true });
  // /opt/extra, listed with trailing slashes and blanks; /opt/hidden only in a dot file the glob skips.
  await mkdir(join(root, 'opt/extra'), { recursive: true });
  await mkdir(join(root, 'opt/hidden'), { recursive: true });
  await writeFile(
    join(root, 'opt/extra/libsynth.so.7'),
    buildElf({ bits: 64, machine: EM_X86_64, soname: 'libsynth.so.7' }),
  );
  await writeFile(
    join(root, 'opt/hidden/libh.so.1'),
    buildElf({ bits: 64, machine: EM_X86_64, soname: 'libh.so.1' }),
  );
  await mkdir(join(root, 'etc/ld.so.conf.d'), { recursive: true });
  await writeFile(join(root, 'etc/ld.so.conf'), '# comment\ninclude /etc/ld.so.conf.d/*.conf\n\n');
  await writeFile(join(root, 'etc/ld.so.conf.d/libc.conf'), '# libc default configuration\n/usr/local/lib\n');
  await writeFile(
    join(root, 'etc/ld.so.conf.d/x86_64-linux-gnu.conf'),
    '# Multiarch support\n/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n',
  );
  await writeFile(
    join(root, 'etc/ld.so.conf.d/zz-extra.conf'),
    '   /opt/extra//  # trailing junk\nhwcap 0 nosegneg\n',
  );
  await writeFile(join(root, 'etc/ld.so.conf.d/.hidden.conf'), '/opt/hidden\n');
  return root;
}

/** A glibc ldconfig to compare with: the host's, or Debian's from another release or architecture. */
interface Oracle {
  name: string;
  argv0: string[];
}

/** Runs an ldconfig on `root` without touching its links; returns the cache it wrote. */
function ldconfig(root: string, oracle: Oracle): Buffer {
  const out = join(root, 'etc/ld.so.cache');
  execFileSync(
    oracle.argv0[0] as string,
    [...oracle.argv0.slice(1), '-X', '-r', root, '-C', '/etc/ld.so.cache'],
    {
      stdio: 'pipe',
    },
  );
  const bytes = readFileSync(out);
  execFileSync('rm', ['-f', out]);
  return bytes;
}

/** `ldconfig -p` (the host's) for a cache given as bytes. */
function printed(bytes: Buffer, where: string): string {
  const f = join(where, `print-${Math.random().toString(36).slice(2)}`);
  writeFileSync(f, bytes);
  return execFileSync('ldconfig', ['-p', '-C', f], { encoding: 'utf8' }).replace(f, 'F');
}

/** Every path under `root` with its kind, size and mtime: to prove nothing was written. */
function snapshot(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const n of readdirSync(join(root, rel)).sort()) {
      const p = join(rel, n);
      const st = lstatSync(join(root, p));
      out.push(`${p} ${st.mode} ${st.size} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk('');
  return out;
}

/** Debian 13's ldconfig for `arch`, from its libc-bin package (static, so it runs from any directory). */
async function trixieLdconfig(arch: string): Promise<{ path: string } | { skip: string }> {
  const r = await foreignDebsRoot(arch, ['libc-bin'], { suite: 'trixie' });
  if ('skip' in r) return r;
  // Debian 13 packages ship it under /usr/sbin (merged /usr), Debian 12's under /sbin.
  const path = [join(r.root, 'usr/sbin/ldconfig'), join(r.root, 'sbin/ldconfig')].find((p) => existsSync(p));
  return path ? { path } : { skip: `no ldconfig in Debian 13 libc-bin for ${arch}` };
}

test('amd64: same bytes as glibc ldconfig -r (Debian 12 and 13), with /etc/ld.so.conf and without', async (t) => {
  if (!have('ldconfig')) return skipOrFail(t, 'ldconfig is missing: install libc-bin');
  const oracles: Oracle[] = [{ name: 'host ldconfig', argv0: ['ldconfig'] }];
  const trixie = await trixieLdconfig('amd64');
  if ('skip' in trixie) skipOrFail(t, `no Debian 13 ldconfig: ${trixie.skip}`);
  else oracles.push({ name: 'Debian 13 ldconfig', argv0: [trixie.path] });
  for (const oracle of oracles) {
    const root = await amd64Tree();
    const theirs = ldconfig(root, oracle);
    const generator = readLdSoCache(theirs).generator as string;
    assert.ok(generator, `${oracle.name} is older than glibc 2.33`);
    const minor = Number(/release version 2\.(\d+)/.exec(generator)?.[1]);
    const before = snapshot(root);
    const warnings: string[] = [];
    const ours = await buildLdSoCache(dirRootFs(root), {
      arch: 'amd64',
      generator,
      onWarning: (m) => warnings.push(m),
    });
    assert.deepEqual(snapshot(root), before, 'the tree was modified');
    assert.equal(printed(ours.bytes, root), printed(theirs, root), oracle.name);
    assert.ok(ours.bytes.equals(theirs), `${oracle.name}: bytes differ`);
    assert.deepEqual(ours.dirs, ['/usr/local/lib', '/lib/x86_64-linux-gnu', '/opt/extra', '/lib']);
    const names = ours.entries.map((e) => `${e.name} ${e.path} ${e.flags.toString(16)}`);
    assert.ok(names.includes('libsynth.so.7 /lib/x86_64-linux-gnu/libsynth.so.7 303'));
    assert.ok(names.includes('libssl.so /lib/x86_64-linux-gnu/libssl.so 303'));
    // Before glibc 2.37 a 32-bit library that links no libc.so.6 was plain "ELF" (1), since then libc6 (3).
    assert.ok(
      names.includes(`libsynth.so.7 /usr/local/lib/libsynth.so.7 ${minor >= 37 ? 3 : 1}`),
      oracle.name,
    );
    // dpkg's half-unpacked files are ignored since glibc 2.39.
    assert.equal(
      names.some((n) => n.startsWith('libx.so.1 ')),
      minor < 39,
      oracle.name,
    );
    for (const bad of ['libdangling', 'libtrunc', 'libscript', 'libexec', 'libarm', 'libdir', 'libh.so'])
      assert.ok(!names.some((n) => n.startsWith(bad)), `${bad} should be left out`);
    const why = new Map(ours.skipped.map((s) => [s.path.slice(s.path.lastIndexOf('/') + 1), s.reason]));
    assert.match(why.get('libtrunc.so.1') ?? '', /ELF_TRUNCATED/);
    assert.match(why.get('libscript.so') ?? '', /ELF_NOT_ELF/);
    assert.match(why.get('libarm.so.1') ?? '', /architecture/);
    assert.match(why.get('libexec.so.1') ?? '', /ET_DYN/);
    assert.ok(warnings.some((w) => /hwcap directive ignored/.test(w)));

    // Layer entries give the same result as the directory.
    const viaEntries = await buildLdSoCache(entriesRootFs(await dirEntries(root)), {
      arch: 'amd64',
      generator,
    });
    assert.ok(viaEntries.bytes.equals(theirs), `${oracle.name}: layer entries differ`);

    // A distroless image has no /etc/ld.so.conf (libc-bin is not installed): built-in dirs only.
    await rm(join(root, 'etc/ld.so.conf'));
    const bare = ldconfig(root, oracle);
    const oursBare = await buildLdSoCache(dirRootFs(root), { arch: 'amd64', generator });
    assert.ok(oursBare.bytes.equals(bare), `${oracle.name}: bytes differ without /etc/ld.so.conf`);
    assert.deepEqual(oursBare.dirs, ['/lib/x86_64-linux-gnu', '/lib']);
  }
});

test('explicit dirs: order kept, duplicates through symlinks and missing dirs dropped; options checked', async () => {
  const root = await tmp();
  await mkdir(join(root, 'usr/lib/x86_64-linux-gnu'), { recursive: true });
  await symlink('usr/lib', join(root, 'lib'));
  await writeFile(
    join(root, 'usr/lib/x86_64-linux-gnu/libq.so.1'),
    buildElf({ bits: 64, machine: EM_X86_64, soname: 'libq.so.1' }),
  );
  const r = await buildLdSoCache(dirRootFs(root), {
    arch: 'amd64',
    libcVersion: '2.41-12',
    dirs: ['/nope', '/lib/x86_64-linux-gnu/', '/usr/lib/x86_64-linux-gnu', '/usr/lib'],
  });
  assert.deepEqual(r.dirs, ['/lib/x86_64-linux-gnu', '/usr/lib']);
  assert.deepEqual(
    r.entries.map((e) => e.path),
    ['/lib/x86_64-linux-gnu/libq.so.1'],
  );
  assert.equal(
    readLdSoCache(r.bytes).generator,
    'ldconfig (Debian GLIBC 2.41-12) stable release version 2.41',
  );
  const entry = ldSoCacheLayerEntry(r.bytes);
  assert.equal(entry.path, 'etc/ld.so.cache');
  assert.equal(entry.mode, 0o644);
  assert.equal(entry.size, r.bytes.length);
  await assert.rejects(buildLdSoCache(dirRootFs(root), { arch: 'amd64' }), {
    code: 'LDCACHE_OPTIONS_INVALID',
  });
  await assert.rejects(buildLdSoCache(dirRootFs(root), { arch: 'amd64', generator: 'g', glibc: '3.1' }), {
    code: 'LDCACHE_OPTIONS_INVALID',
  });
  assert.ok(!existsSync(join(root, 'etc')), 'nothing may be written into the root');
});

test('arm64: same bytes as Debian 12 and 13 arm64 ldconfig (under qemu), split and merged /usr, AArch64 flags', async (t) => {
  if (!have('qemu-aarch64-static'))
    return skipOrFail(t, 'qemu-aarch64-static is missing: install qemu-user-static');
  if (!have('ldconfig')) return skipOrFail(t, 'ldconfig is missing: install libc-bin');
  const fetched = await foreignDebsRoot('arm64', ARM64_PACKAGES);
  if ('skip' in fetched) return skipOrFail(t, fetched.skip);
  const oracles: Oracle[] = [
    { name: 'Debian 12 arm64 ldconfig', argv0: ['qemu-aarch64-static', join(fetched.root, 'sbin/ldconfig')] },
  ];
  const trixie = await trixieLdconfig('arm64');
  if ('skip' in trixie) skipOrFail(t, `no Debian 13 arm64 ldconfig: ${trixie.skip}`);
  else
    oracles.push({
      name: 'Debian 13 arm64 ldconfig',
      argv0: ['qemu-aarch64-static', trixie.path],
    });
  for (const oracle of oracles) {
    const root = await tmp();
    await cp(fetched.root, root, { recursive: true, verbatimSymlinks: true });
    const check = async (what: string) => {
      const theirs = ldconfig(root, oracle);
      const generator = readLdSoCache(theirs).generator as string;
      const ours = await buildLdSoCache(dirRootFs(root), { arch: 'arm64', generator });
      assert.equal(printed(ours.bytes, root), printed(theirs, root), `${oracle.name}, ${what}`);
      assert.ok(ours.bytes.equals(theirs), `${oracle.name}, ${what}: bytes differ`);
      const parsed = readLdSoCache(ours.bytes);
      assert.ok(parsed.entries.length > 10, what);
      for (const e of parsed.entries)
        assert.equal(e.flags, FLAG_ELF_LIBC6 | FLAG_AARCH64_LIB64, `${what}: ${e.name}`);
      assert.ok(
        parsed.entries.some((e) => e.name === 'libssl.so.3'),
        what,
      );
      return ours;
    };
    // As the packages ship it: /lib and /usr/lib apart, libc-bin's /etc/ld.so.conf present.
    assert.ok(existsSync(join(root, 'etc/ld.so.conf')));
    await check('split /usr with ld.so.conf');
    // debian13 layout: merged /usr, and no /etc/ld.so.conf as in a distroless image.
    await cp(join(root, 'lib'), join(root, 'usr/lib'), { recursive: true, verbatimSymlinks: true });
    await rm(join(root, 'lib'), { recursive: true });
    await symlink('usr/lib', join(root, 'lib'));
    await rm(join(root, 'etc/ld.so.conf'));
    const merged = await check('merged /usr without ld.so.conf');
    assert.deepEqual(merged.dirs, ['/lib/aarch64-linux-gnu', '/lib']);
  }
});
