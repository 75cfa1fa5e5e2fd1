import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zip } from '../../../zip/zip-testing.ts';
import { detectContext, project } from '../native/native-testing.ts';
import { javaDetector, readJar } from './java.ts';
import { parseManifest, zipEntries } from './zip.ts';

/** A class file header for Java `v` (major v+44). */
const classFile = (v: number) => Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, v + 44, 0, 0]);
const jar = (manifest: string, more: Record<string, Buffer> = {}) =>
  zip({ 'META-INF/MANIFEST.MF': manifest, ...more });

test('manifest parsing: continuation lines, main section only', () => {
  const m = parseManifest(
    'Manifest-Version: 1.0\r\nMain-Class: com.example.VeryLongName\r\n Continued\r\nClass-Path: lib/a.jar\r\n  lib/b.jar\r\n\r\nName: x\r\nMain-Class: no\r\n',
  );
  assert.equal(m.get('Main-Class'), 'com.example.VeryLongNameContinued');
  assert.equal(m.get('Class-Path'), 'lib/a.jar lib/b.jar');
});

test('readJar: Main-Class, Class-Path and the main class version; not a zip is APP_JAVA_JAR_INVALID', () => {
  const j = readJar(jar('Main-Class: a.B\nClass-Path: lib/x.jar\n', { 'a/B.class': classFile(17) }));
  assert.deepEqual(j, { mainClass: 'a.B', classPath: ['lib/x.jar'], classVersion: 17 });
  assert.throws(() => zipEntries(Buffer.from('not a zip at all, definitely not')), {
    code: 'APP_JAVA_JAR_INVALID',
  });
});

test('target/*.jar with Main-Class → java21, jar at /app/app.jar, Class-Path libraries in their own layer', async () => {
  const dir = await project({
    'pom.xml': '<project/>',
    'target/app-1.0.jar': jar('Main-Class: a.B\nClass-Path: lib/dep.jar\n', { 'a/B.class': classFile(17) }),
    'target/app-1.0-sources.jar': jar('Main-Class: no.No\n'),
    'target/lib/dep.jar': zip({ 'x.txt': 'dep' }),
  });
  const plan = await javaDetector.detect(dir, {}, detectContext());
  assert.ok(plan);
  assert.equal(plan.base, 'java21');
  assert.deepEqual(plan.entrypoint, ['/usr/bin/java', '-jar', '/app/app.jar']);
  assert.deepEqual(
    plan.layers.map((l) => l.name),
    ['deps', 'app'],
  );
  const deps = (await plan.layers[0]?.entries())?.filter((e) => e.type === 'file').map((e) => e.path);
  assert.deepEqual(deps, ['app/lib/dep.jar']);
  const app = await plan.layers[1]?.entries();
  const jarEntry = app?.find((e) => e.path === 'app/app.jar');
  assert.deepEqual([jarEntry?.mode, jarEntry?.uid], [0o644, 0]);
  assert.match(plan.reasons.join('\n'), /target\/app-1\.0\.jar, Main-Class a\.B.*Java 17.*base java21/s);
});

test('Java 25 classes → java25 on Debian 13; on Debian 12 it is APP_JAVA_VERSION_MISMATCH', async () => {
  const dir = await project({ 'build/libs/x.jar': jar('Main-Class: a.B\n', { 'a/B.class': classFile(25) }) });
  assert.equal((await javaDetector.detect(dir, {}, detectContext()))?.base, 'java25');
  await assert.rejects(javaDetector.detect(dir, { debian: 12 }, detectContext()), {
    code: 'APP_JAVA_VERSION_MISMATCH',
  });
});

test('no runnable jar: not Java (or APP_JAVA_JAR_NOT_FOUND with kind: java); several: APP_JAVA_JAR_NOT_FOUND', async () => {
  const lib = await project({ 'x.jar': jar('Manifest-Version: 1.0\n') });
  assert.equal(await javaDetector.detect(lib, {}, detectContext()), undefined);
  await assert.rejects(javaDetector.detect(lib, { kind: 'java' }, detectContext()), {
    code: 'APP_JAVA_JAR_NOT_FOUND',
  });
  const two = await project({
    'target/a.jar': jar('Main-Class: a.A\n'),
    'target/b.jar': jar('Main-Class: b.B\n'),
  });
  await assert.rejects(javaDetector.detect(two, {}, detectContext()), {
    code: 'APP_JAVA_JAR_NOT_FOUND',
    message: /a\.jar, target\/b\.jar/,
  });
  assert.deepEqual((await javaDetector.detect(two, { main: 'target/b.jar' }, detectContext()))?.entrypoint, [
    '/usr/bin/java',
    '-jar',
    '/app/app.jar',
  ]);
});
