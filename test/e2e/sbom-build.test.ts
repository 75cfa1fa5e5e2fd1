/**
 * `distill build --sbom` of the examples: the SBOM lists the app's own ecosystem next to the
 * base's Debian packages — express's production node_modules exactly as its lockfile pins them
 * (the devDependency left out), the python-http venv's `greeting` distribution, a Maven artifact
 * inside java-http's Class-Path jar — and validates against the SPDX 2.3 schema. Needs the Debian
 * archive and the npm registry; npm, python3-venv and a JDK on the host.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { distill } from '../helpers/cli.ts';
import { cyclonedxErrors, semanticErrors, spdxErrors } from '../helpers/sbom-schemas.ts';
import { REPO_ROOT, requireTool, runOk, tempDir } from '../helpers/tools.ts';

async function example(t: TestContext, name: string): Promise<string> {
  const dir = join(await tempDir(t, `distill-sbom-${name}-`), name);
  await cp(join(REPO_ROOT, 'examples', name), dir, {
    recursive: true,
    filter: (s) => !s.includes('node_modules'),
  });
  return dir;
}

/** Builds DIR with --sbom; the purls of its SPDX SBOM (the image's own excluded). */
async function sbomPurls(dir: string): Promise<string[]> {
  const out = join(dir, '..', 'out');
  const r = distill(['build', dir, '--output', out, '--sbom', '--json', '--no-lock']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).sbom, [join(out, 'sbom.spdx.json')]);
  const doc = JSON.parse(await readFile(join(out, 'sbom.spdx.json'), 'utf8'));
  assert.deepEqual(spdxErrors(doc), []);
  assert.deepEqual(semanticErrors(doc), []);
  const cdx = distill(['sbom', `oci:${out}`, '--format', 'cyclonedx-json']);
  assert.equal(cdx.status, 0, cdx.stderr);
  const bom = JSON.parse(cdx.stdout);
  assert.deepEqual(cyclonedxErrors(bom), []);
  assert.deepEqual(semanticErrors(bom), []);
  return (doc.packages as { externalRefs: { referenceType: string; referenceLocator: string }[] }[])
    .slice(1)
    .flatMap((p) => p.externalRefs.filter((x) => x.referenceType === 'purl').map((x) => x.referenceLocator));
}

test('express: every production package of the lockfile, as pkg:npm, and the Node.js runtime', async (t) => {
  if (!requireTool(t, 'npm', 'npm')) return;
  const dir = await example(t, 'express');
  runOk('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, timeout: 900_000 });
  const lock = JSON.parse(await readFile(join(dir, 'package-lock.json'), 'utf8'));
  const want = Object.entries(lock.packages as Record<string, { version: string; dev?: boolean }>)
    .filter(([k, v]) => k.startsWith('node_modules/') && !v.dev)
    .map(([k, v]) => {
      const name = k.slice(k.lastIndexOf('node_modules/') + 13);
      return `pkg:npm/${name.replace(/^@/, '%40')}@${v.version}`;
    });
  const purls = await sbomPurls(dir);
  assert.deepEqual(purls.filter((p) => p.startsWith('pkg:npm/')).sort(), [...new Set(want)].sort());
  assert.ok(!purls.some((p) => p.startsWith('pkg:npm/is-number@')), 'the devDependency is not in the image');
  assert.equal(purls.filter((p) => p.startsWith('pkg:generic/node@')).length, 1);
  assert.ok(purls.some((p) => p.startsWith('pkg:deb/debian/libc6@')));
});

test('python-http: the venv distribution as pkg:pypi', async (t) => {
  if (!requireTool(t, 'python3', 'python3-venv')) return;
  const dir = await example(t, 'python-http');
  runOk('python3', ['-m', 'venv', '.venv'], { cwd: dir });
  runOk(
    join(dir, '.venv/bin/pip'),
    ['install', '-q', '--no-index', '--no-build-isolation', './vendor/greeting'],
    {
      cwd: dir,
    },
  );
  const purls = await sbomPurls(dir);
  assert.deepEqual(
    purls.filter((p) => p.startsWith('pkg:pypi/')),
    ['pkg:pypi/greeting@0.1.0'],
  );
  assert.ok(purls.some((p) => p.startsWith('pkg:deb/debian/libpython3.13-stdlib@')));
});

test('java-http: a Maven artifact inside the Class-Path jar as pkg:maven', async (t) => {
  if (!requireTool(t, 'javac', 'default-jdk-headless') || !requireTool(t, 'jar', 'default-jdk-headless'))
    return;
  const dir = await example(t, 'java-http');
  const sh = (cmd: string, args: string[]) => runOk(cmd, args, { cwd: dir });
  sh('javac', ['--release', '17', '-d', 'target/lib-classes', 'lib-src/greeting/Greeting.java']);
  const pom = join(dir, 'target/lib-classes/META-INF/maven/org.example/greeting');
  await mkdir(pom, { recursive: true });
  await writeFile(join(pom, 'pom.properties'), 'groupId=org.example\nartifactId=greeting\nversion=0.1.0\n');
  await mkdir(join(dir, 'target', 'lib'), { recursive: true });
  sh('jar', ['--create', '--file', 'target/lib/greeting.jar', '-C', 'target/lib-classes', '.']);
  sh('javac', ['--release', '17', '-cp', 'target/lib/greeting.jar', '-d', 'target/classes', 'src/Main.java']);
  sh('jar', [
    '--create',
    '--file',
    'target/java-http.jar',
    '--manifest',
    'manifest.txt',
    '-C',
    'target/classes',
    '.',
  ]);
  const purls = await sbomPurls(dir);
  assert.deepEqual(
    purls.filter((p) => p.startsWith('pkg:maven/')),
    ['pkg:maven/org.example/greeting@0.1.0'],
  );
});
