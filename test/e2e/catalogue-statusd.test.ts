/**
 * Issue 14 item 7: an SBOM made from /var/lib/dpkg/status.d must not lie. For every debian13
 * catalogue image (its debug variant, which holds everything the others do plus busybox), every
 * regular file, symlink and hard link is either a file of a Debian package that has a status.d
 * record in the image, or one of distill's own generated files (listed below with why). Ownership
 * is taken from the packages' own data.tar (the .debs the build's lock pins, merged-/usr
 * applied), not from md5sums, which leave out conffiles and symlinks. Directories are not checked
 * (parents such as /home/nonroot are distroless's). Needs the Debian archive and the npm registry.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { catalogue } from '../../src/catalogue/index.ts';
import { openArchiveContext, packageContents } from '../../src/debian/index.ts';
import { type BaseLockFile, planFromBaseLock } from '../../src/lock/index.ts';
import { buildBase } from '../helpers/docker.ts';
import { layoutTree } from '../helpers/layout-tree.ts';

/**
 * Files distill writes itself, as distroless does (common/BUILD.bazel, rules_distroless), or takes
 * from outside Debian.
 */
const GENERATED: readonly { path: RegExp; target?: RegExp; why: string }[] = [
  { path: /^etc\/(passwd|group|nsswitch\.conf)$/, why: "distroless's accounts and NSS config" },
  { path: /^usr\/lib\/os-release$/, why: "distroless's os-release (replaces base-files')" },
  { path: /^etc\/ssl\/certs\/ca-certificates\.crt$/, why: 'the CA bundle ca-certificates would build' },
  { path: /^etc\/ssl\/certs\/java\/cacerts$/, why: 'the Java trust store ca-certificates-java would build' },
  { path: /^etc\/ld\.so\.cache$/, why: 'what ldconfig would write (python3)' },
  { path: /^var\/lib\/dpkg\/status\.d\/[^/]+$/, why: 'the status.d records themselves' },
  { path: /^usr\/bin\/(python3?|java)$/, why: 'the links update-alternatives / python3 would make' },
  {
    path: /^usr\/bin\/[a-z0-9-]+$/,
    target: /^\/usr\/lib\/jvm\/java-\d+-openjdk-amd64\/bin\/[a-z0-9-]+$/,
    why: "the links update-alternatives would make for the JDK's tools (javaNN:debug)",
  },
  { path: /^nodejs\/(bin\/node|LICENSE)$/, why: 'Node.js from the npm registry (not a Debian package)' },
  { path: /^busybox\/.+$/, why: "busybox-static's binary (recorded in status.d) and its applet links" },
];

const NAMES = catalogue(13).map((s) => s.name);
let work: Promise<string> | undefined;
const dir = () => (work ??= mkdtemp(join(tmpdir(), 'distill-e2e-statusd-')));
after(async () => {
  if (work) await rm(await work, { recursive: true, force: true });
});

describe('every file of a catalogue image is accounted for in status.d (debian13 amd64, debug variants)', () => {
  for (const name of NAMES) {
    test(name, { timeout: 900_000 }, async () => {
      const d = await dir();
      const layout = join(d, name);
      const lockPath = join(d, `${name}.lock`);
      await buildBase(`${name}:debug`, ['--output', layout, '--lock', lockPath]);
      const tree = await layoutTree(layout, (p) => p.startsWith('var/lib/dpkg/status.d/'));
      const recorded = new Set(
        [...tree.values()]
          .filter((e) => e.path.startsWith('var/lib/dpkg/status.d/') && !e.path.endsWith('.md5sums'))
          .map((e) => /^Package: (.+)$/m.exec(e.body?.toString('utf8') ?? '')?.[1]),
      );
      const lock = JSON.parse(await readFile(lockPath, 'utf8')) as BaseLockFile;
      const ctx = await openArchiveContext({ debian: 13, env: process.env, indexes: false });
      const plan = planFromBaseLock(lock, name, 'amd64', ctx.mirrors);
      const all = [...plan.layers.flatMap((l) => l.packages), ...Object.values(plan.sources)];
      const withRecord = all.filter(
        (p, i) => recorded.has(p.name) && all.findIndex((q) => q.name === p.name) === i,
      );
      // Every status.d record is a package the lock pins (no invented records).
      assert.deepEqual(
        [...recorded].filter((n) => !withRecord.some((p) => p.name === n)),
        [],
        'status.d records of packages the lock does not pin',
      );
      const owned = new Set<string>();
      for (const c of await packageContents(withRecord, { cache: ctx.cache, mergedUsr: true }))
        for (const f of c.files) owned.add(f.path.replace(/^\.?\/+/, '').replace(/\/+$/, ''));
      const orphans = [...tree.values()]
        .filter((e) => e.type !== 'dir')
        .filter(
          (e) =>
            !owned.has(e.path) &&
            !GENERATED.some(
              (g) =>
                g.path.test(e.path) &&
                (!g.target || (e.type === 'symlink' && g.target.test(e.linkname ?? ''))),
            ),
        )
        .map((e) => `${e.type} /${e.path}`);
      assert.deepEqual(orphans, [], `${name}: files no status.d-recorded package owns`);
      // busybox/ is claimed for busybox-static: it must be recorded.
      assert.ok(recorded.has('busybox-static'), 'busybox-static has a status.d record in the debug variant');
      if (tree.has('usr/lib/locale/C.utf8/LC_CTYPE'))
        assert.ok(recorded.has('libc-bin'), 'the C.utf8 locale comes with libc-bin recorded');
    });
  }
});
