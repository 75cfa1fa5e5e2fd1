/**
 * The published package as a user gets it: `npm pack` the built repository, install the tarball
 * into a temporary project (its dependencies linked from this checkout: no network), then
 * `import('distill')` there, build an image from a directory, write it to an OCI layout and a
 * docker-archive, open and inspect it again, and type-check a TypeScript consumer against the
 * shipped declarations. Also: the tarball holds no tests, test helpers or fake registries.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { needTools } from './helpers/cli.ts';
import { REPO_ROOT, run, runOk } from './helpers/tools.ts';

/** What the consumer script below prints. */
interface ConsumerReport {
  exports: string[];
  digest: string;
  layoutDigest: string;
  inspectDigest: string;
  archiveDigest: string;
  layers: number;
  badEnv: { code: string; isOciError: boolean };
  badArchiveRef: { code: string; isOciError: boolean };
  auditIds: string[];
  sbomVersion: string;
}

// Runs inside the temporary project: only the package's public entry point is imported.
const CONSUMER = `
import { writeFile } from 'node:fs/promises';
const d = await import('distill');
const [rootfs, work, blobs] = process.argv.slice(2);
const img = await d.fromDir(rootfs, { config: { entrypoint: ['/hello'], labels: { a: 'b' } }, blobDir: blobs, epoch: 0 });
const w = await d.writeImage(img, 'oci:' + work + '/layout:1.0');
const opened = await d.openImage('oci:' + work + '/layout:1.0');
const report = await d.inspect('oci:' + work + '/layout:1.0');
await d.writeImage(img, 'docker-archive:' + work + '/image.tar:hello:1.0');
const fromArchive = await d.openImage('docker-archive:' + work + '/image.tar');
const au = await d.audit('oci:' + work + '/layout:1.0');
const sb = await d.sbom(img, { format: 'spdx-json' });
const caught = async (f) => { try { await f(); return { code: 'none', isOciError: false }; } catch (e) { return { code: e.code, isOciError: e instanceof d.OciError }; } };
const badEnv = await caught(() => d.fromDir(rootfs, { config: { env: { 'A=B': 'c' } }, blobDir: work + '/bad-blobs' }));
const badArchiveRef = await caught(() => d.writeImage(img, 'docker-archive:' + work + '/bad.tar:@0'));
await writeFile(work + '/report.json', JSON.stringify({
  exports: Object.keys(d).sort(),
  digest: img.descriptor.digest,
  layoutDigest: w.digest === opened.descriptor.digest ? opened.descriptor.digest : 'differs',
  inspectDigest: report.digest,
  archiveDigest: fromArchive.kind === 'image' ? fromArchive.manifest.config.digest === img.manifest.config.digest ? 'same-config' : 'other-config' : 'index',
  layers: report.images[0].layers.length,
  badEnv,
  badArchiveRef,
  auditIds: au.findings.map((f) => f.id),
  sbomVersion: JSON.parse(sb.text).spdxVersion,
}));
`;

// Type-checked against the shipped .d.ts files: the API's types are usable as published.
const TS_CONSUMER = `
import { type Artifact, fromDir, type InspectReport, inspect, OciError, writeImage } from 'distill';
export async function f(): Promise<string> {
  const img: Artifact = await fromDir('rootfs', { config: { entrypoint: ['/x'] }, compression: 'zstd', level: 3 });
  await writeImage(img, 'oci:out:1');
  const r: InspectReport = await inspect(img);
  const e = new OciError('IMAGE_REF_INVALID', 'x');
  return r.digest + e.code;
}
`;

describe('the packed package', () => {
  let work: string;
  let files: string[];
  let project: string;
  after(() => rm(work, { recursive: true, force: true }));
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'distill-pack-'));
    // --ignore-scripts: `prepare` would rebuild dist/ while other tests read it; the suite builds first.
    const packed = JSON.parse(
      runOk('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: REPO_ROOT }),
    ) as { filename: string; files: { path: string }[] }[];
    const entry = packed[0];
    assert.ok(entry, 'npm pack reported no package');
    files = entry.files.map((f) => f.path);
    project = join(work, 'project');
    const pkgDir = join(project, 'node_modules', 'distill');
    await mkdir(pkgDir, { recursive: true });
    runOk('tar', ['-xzf', join(work, entry.filename), '-C', pkgDir, '--strip-components=1']);
    // Only the declared dependencies are linked: the package must not need a devDependency at run time.
    const manifest = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const dep of Object.keys(manifest.dependencies)) {
      const target = join(project, 'node_modules', dep);
      await mkdir(join(target, '..'), { recursive: true });
      await symlink(join(REPO_ROOT, 'node_modules', dep), target, 'dir');
    }
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module' }));
  });

  it('ships no tests, test helpers or fake registries, and ships the entry point and its types', () => {
    assert.deepEqual(
      files.filter((f) => /\.test\.|(^|\/)testing\/|fake-registry|-fixture\.|-testing\./.test(f)),
      [],
    );
    for (const f of [
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'bin/distill.js',
      'dist/bundle/cli/main.cjs',
    ])
      assert.ok(files.includes(f), `${f} is not in the package`);
    assert.ok(
      !files.some((f) => f.startsWith('dist/test/') || f.startsWith('src/')),
      'sources or tests shipped',
    );
  });

  it('imports as `distill`, builds an image from a directory and reads it back by digest', async (t) => {
    const rootfs = join(work, 'rootfs');
    await mkdir(rootfs, { recursive: true });
    await writeFile(join(rootfs, 'hello'), 'hello\n');
    const out = join(work, 'out');
    const blobs = join(work, 'blobs');
    await mkdir(out);
    await writeFile(join(project, 'consumer.mjs'), CONSUMER);
    const before = (await readdir(project)).sort();
    runOk(process.execPath, ['consumer.mjs', rootfs, out, blobs], { cwd: project });
    const r = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as ConsumerReport;
    for (const verb of [
      'buildApp',
      'buildBase',
      'fromDir',
      'audit',
      'inspect',
      'lock',
      'openImage',
      'pull',
      'push',
      'sbom',
      'writeImage',
    ])
      assert.ok(r.exports.includes(verb), `${verb} is not exported`);
    for (const cls of ['OciError', 'RegistryError', 'DebianError', 'LockError', 'AppError'])
      assert.ok(r.exports.includes(cls), `${cls} is not exported`);
    assert.match(r.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(r.layoutDigest, r.digest);
    assert.equal(r.inspectDigest, r.digest);
    assert.equal(r.archiveDigest, 'same-config');
    assert.equal(r.layers, 1);
    // The image has no user: the audit says root; the SBOM is SPDX 2.3.
    assert.ok(r.auditIds.includes('DL-USER-ROOT'), r.auditIds.join(' '));
    assert.equal(r.sbomVersion, 'SPDX-2.3');
    // Bad input: the error class is the one the package exports, and nothing was written for it.
    assert.deepEqual(r.badEnv, { code: 'OCI_CONFIG_INVALID', isOciError: true });
    assert.deepEqual(r.badArchiveRef, { code: 'IMAGE_REF_INVALID', isOciError: true });
    assert.deepEqual((await readdir(out)).sort(), ['image.tar', 'layout', 'report.json']);
    assert.deepEqual((await readdir(project)).sort(), before, 'the consumer wrote into its project');
    // The packed CLI gives the same image for the same directory (library and CLI share one path).
    const cli = JSON.parse(
      runOk(
        process.execPath,
        [
          join(project, 'node_modules', 'distill', 'bin', 'distill.js'),
          'image',
          'from-dir',
          rootfs,
          '--entrypoint',
          '["/hello"]',
          '--label',
          'a=b',
          '--output',
          join(work, 'cli-layout'),
          '--json',
        ],
        { cwd: work, env: { ...process.env, DISTILL_CACHE: join(work, 'cache'), SOURCE_DATE_EPOCH: '0' } },
      ),
    ) as { digest: string };
    assert.equal(cli.digest, r.digest);
    // An independent reader agrees on what was written.
    if (!needTools(t, ['skopeo'])) return;
    const sk = JSON.parse(runOk('skopeo', ['inspect', `oci:${join(out, 'layout')}:1.0`])) as {
      Digest: string;
    };
    assert.equal(sk.Digest, r.digest);
  });

  it('type-checks a TypeScript consumer against the shipped declarations', async () => {
    await writeFile(join(project, 'consumer.ts'), TS_CONSUMER);
    const tsconfig = {
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        noEmit: true,
        // openpgp's own declarations name a package it does not install; the repo skips them too.
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
      },
      files: ['consumer.ts'],
    };
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
    const r = run(
      process.execPath,
      [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'],
      {
        cwd: project,
      },
    );
    assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
  });
});
