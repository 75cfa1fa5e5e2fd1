/**
 * Live: real trixie packages from the mirror the host's apt sources name (resolved and verified by
 * the archive side), extracted by distill and compared with `dpkg-deb -c` entry by entry. Skips when
 * the archive is unreachable, except under CI=true where that is a failure.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeLayer } from '../../oci/tar/layer-writer.ts';
import { openCache } from '../../platform/cache.ts';
import { openArchiveContext } from '../archive/context.ts';
import { resolveFromRelease } from '../resolve/from-release.ts';
import { downloadPackages } from './download.ts';
import { extractDeb, layerEntries } from './extract.ts';
import { packageContents } from './extract-packages.ts';
import type { DebEntry } from './normalise.ts';

const TYPE: Record<string, DebEntry['type']> = {
  '-': 'file',
  d: 'dir',
  l: 'symlink',
  h: 'hardlink',
  c: 'char',
  b: 'block',
  p: 'fifo',
};

/** `-rwsr-xr-x` → 0o4755 */
function modeBits(s: string): number {
  let m = 0;
  const rwx = s.slice(1);
  for (let i = 0; i < 9; i++) {
    const c = rwx[i] as string;
    if (c !== '-' && c !== 'S' && c !== 'T') m |= 1 << (8 - i);
  }
  if (/[sS]/.test(rwx[2] as string)) m |= 0o4000;
  if (/[sS]/.test(rwx[5] as string)) m |= 0o2000;
  if (/[tT]/.test(rwx[8] as string)) m |= 0o1000;
  return m;
}

interface Listed {
  path: string;
  type: string;
  mode: number;
  owner: string;
  size: number;
  link?: string;
}

/** Parses `dpkg-deb -c` (GNU tar -tv style) lines. */
function dpkgList(deb: string): Listed[] {
  const r = spawnSync('dpkg-deb', ['-c', deb], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  const out: Listed[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S{10}) (\S+)\s+(\d+) \S+ \S+ (.*)$/.exec(line);
    if (!m) continue;
    const [, perms, owner, size, rest] = m as unknown as [string, string, string, string, string];
    const type = TYPE[perms[0] as string] ?? '?';
    let path = rest;
    let link: string | undefined;
    if (type === 'symlink') [path, link] = rest.split(' -> ') as [string, string];
    if (type === 'hardlink') [path, link] = rest.split(' link to ') as [string, string];
    path = path.replace(/^\.\//, '').replace(/\/$/, '');
    if (link !== undefined && type === 'hardlink') link = link.replace(/^\.\//, '');
    if (path === '' || path === '.') continue;
    const e: Listed = { path, type, mode: modeBits(perms), owner, size: Number(size) };
    if (link !== undefined) e.link = link;
    out.push(e);
  }
  return out;
}

test('real trixie packages: extraction matches dpkg-deb -c; merged-/usr and base-files agree', async (t) => {
  if (spawnSync('dpkg-deb', ['--version']).status !== 0) {
    if (process.env.CI === 'true') assert.fail('dpkg-deb missing (package dpkg)');
    return t.skip('dpkg-deb missing (package dpkg)');
  }
  const cache = await openCache(process.env.DISTILL_CACHE ?? join(tmpdir(), 'distill-live-cache'));
  let resolved: Awaited<ReturnType<typeof resolveFromRelease>>;
  try {
    const ctx = await openArchiveContext({ debian: 13, env: process.env, cache });
    resolved = await resolveFromRelease(ctx.spec, ['base-files', 'libc6', 'tzdata'], {
      arch: 'amd64',
      archive: ctx.archive,
    });
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (process.env.CI !== 'true' && /MIRROR_UNSET|FETCH|HTTP|NOT_FOUND/.test(code))
      return t.skip(`Debian archive unreachable (${code}): ${(err as Error).message}`);
    throw err;
  }
  const wanted = resolved.packages.filter((p) => ['base-files', 'libc6', 'tzdata'].includes(p.name));
  assert.equal(wanted.length, 3);
  const downloaded = await downloadPackages(wanted, { cache });
  for (const d of downloaded) {
    const x = await extractDeb(d.path, { cache, sha256: d.pkg.sha256, what: d.pkg.name });
    const listed = dpkgList(d.path);
    assert.equal(x.entries.length, listed.length, `${d.pkg.name}: entry count`);
    for (let i = 0; i < listed.length; i++) {
      const want = listed[i] as Listed;
      const got = x.entries[i] as DebEntry;
      const ctx = `${d.pkg.name}: ${want.path}`;
      assert.equal(got.path, want.path, ctx);
      assert.equal(got.type, want.type, ctx);
      assert.equal(got.mode, want.mode, ctx);
      assert.equal(want.owner, 'root/root', ctx);
      assert.deepEqual([got.uid, got.gid], [0, 0], ctx);
      if (want.type === 'file') assert.equal(got.size, want.size, ctx);
      assert.equal(got.linkname, want.link, ctx);
    }
    assert.match(x.control, new RegExp(`^Package: ${d.pkg.name}\\n`));
    assert.ok(x.md5sums && x.md5sums.length > 0, `${d.pkg.name} has md5sums`);
    // Every file's content(), read as the layer writer will, matches the package's own md5sums.
    const files = new Map(layerEntries(x).map((e) => [e.path, e]));
    let checked = 0;
    for (const line of x.md5sums.trimEnd().split('\n')) {
      const [sum, path] = line.split(/ {2}/) as [string, string];
      const e = files.get(path);
      assert.ok(e?.content, `${d.pkg.name}: ${path} from md5sums is a file`);
      const h = createHash('md5');
      const c = await e.content();
      if (Buffer.isBuffer(c)) h.update(c);
      else for await (const b of c) h.update(b as Buffer);
      assert.equal(h.digest('hex'), sum, `${d.pkg.name}: ${path} content`);
      checked++;
    }
    assert.ok(checked > 0);

    const merged = await extractDeb(d.path, { cache, sha256: d.pkg.sha256, mergedUsr: true });
    for (const e of merged.entries)
      assert.ok(
        !/^(bin|sbin|lib|lib32|lib64|libx32)\//.test(e.path),
        `${d.pkg.name}: ${e.path} left under an aliased directory`,
      );
    if (d.pkg.name === 'base-files') {
      const links = Object.fromEntries(
        merged.entries
          .filter((e) => e.type === 'symlink' && !e.path.includes('/'))
          .map((e) => [e.path, e.linkname]),
      );
      assert.equal(links.bin, 'usr/bin');
      assert.equal(links.sbin, 'usr/sbin');
      assert.equal(links.lib, 'usr/lib');
      assert.ok(merged.entries.some((e) => e.path === 'etc/debian_version'));
      assert.ok(merged.entries.some((e) => e.path === 'usr/lib/os-release'));
    }
  }
});

/** `find` listing of a tree: path, type, mode, size, link target, mtime — what a layer must keep. */
function treeListing(root: string): string {
  const r = spawnSync('find', ['.', '-mindepth', '1', '-printf', '%P %y %m %s %l %T@\\n'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  assert.equal(r.status, 0, r.stderr);
  // Directory sizes are filesystem details, and directory mtimes are not comparable: GNU tar (under
  // dpkg-deb -x) creates some symlinks late, after restoring their directory's mtime.
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/(\.\d+)?$/, '').replace(/^(\S+ d \d+) \d+ (.*) \d+$/, '$1 - $2 -'))
    .sort()
    .join('\n');
}

test('real trixie packages through the layer writer unpack exactly like dpkg-deb -x', async (t) => {
  for (const tool of ['dpkg-deb', 'tar', 'diff']) {
    if (spawnSync(tool, ['--version']).status !== 0) {
      if (process.env.CI === 'true') assert.fail(`${tool} missing`);
      return t.skip(`${tool} missing (packages dpkg, tar, diffutils)`);
    }
  }
  const cache = await openCache(process.env.DISTILL_CACHE ?? join(tmpdir(), 'distill-live-cache'));
  let packages: Awaited<ReturnType<typeof resolveFromRelease>>['packages'];
  try {
    const ctx = await openArchiveContext({ debian: 13, env: process.env, cache });
    packages = (
      await resolveFromRelease(ctx.spec, ['libc6', 'tzdata'], { arch: 'amd64', archive: ctx.archive })
    ).packages.filter((p) => ['libc6', 'tzdata'].includes(p.name));
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (process.env.CI !== 'true' && /MIRROR_UNSET|FETCH|HTTP|NOT_FOUND/.test(code))
      return t.skip(`Debian archive unreachable (${code}): ${(err as Error).message}`);
    throw err;
  }
  const work = await mkdtemp(join(tmpdir(), 'distill-live-layer-'));
  try {
    for (const c of await packageContents(packages, { cache, mergedUsr: false })) {
      const layer = await writeLayer(c.files, { dir: join(work, 'blobs') });
      const ours = join(work, `${c.pkg.name}-layer`);
      const theirs = join(work, `${c.pkg.name}-dpkg`);
      await mkdir(ours);
      await mkdir(theirs);
      const untar = spawnSync('tar', [
        '--same-permissions',
        '--numeric-owner',
        '-xzf',
        layer.path,
        '-C',
        ours,
      ]);
      assert.equal(untar.status, 0, String(untar.stderr));
      const dx = spawnSync('dpkg-deb', ['-x', (await cache.get(`sha256:${c.pkg.sha256}`)) as string, theirs]);
      assert.equal(dx.status, 0, String(dx.stderr));
      const [a, b] = [treeListing(ours), treeListing(theirs)];
      if (a !== b) {
        const bl = new Set(b.split('\n'));
        const al = new Set(a.split('\n'));
        const onlyOurs = a
          .split('\n')
          .filter((l) => !bl.has(l))
          .slice(0, 10);
        const onlyTheirs = b
          .split('\n')
          .filter((l) => !al.has(l))
          .slice(0, 10);
        assert.fail(
          `${c.pkg.name}: trees differ\nonly in the layer:\n${onlyOurs.join('\n')}\nonly from dpkg-deb:\n${onlyTheirs.join('\n')}`,
        );
      }
      const diff = spawnSync('diff', ['-r', '--no-dereference', ours, theirs], { encoding: 'utf8' });
      assert.equal(diff.status, 0, `${c.pkg.name}: contents differ\n${diff.stdout.slice(0, 2000)}`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
