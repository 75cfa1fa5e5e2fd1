/**
 * The jdeps equivalent against jdeps itself: classes compiled by the host's javac, some in a jar
 * nested in the app's jar (as Spring Boot's BOOT-INF/lib), read by scanJar, their JDK packages
 * mapped to modules through the host JDK's jmods (jmodPackages, as `--jlink` does with Debian's
 * JDK), must give the modules `jdeps --list-deps` gives. A truncated class file is
 * APP_JAVA_JAR_INVALID. Needs default-jdk-headless (javac, jar, jdeps, the jmods).
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { requireTool, runOk, tempDir } from '../../../../test/helpers/tools.ts';
import { jmodPackages } from '../../build/jlink.ts';
import { detectContext, project } from '../native/native-testing.ts';
import { classRefs } from './classfile.ts';
import { javaDetector } from './java.ts';
import { jdkPackages, newRefScan, scanJar } from './jdk-refs.ts';

const JMODS = '/usr/lib/jvm/default-java/jmods';

const SOURCES: Record<string, string> = {
  'app/Main.java': `package app;
import java.util.logging.Logger;
public class Main {
  public static void main(String[] a) throws Exception {
    Logger.getLogger("m").info(lib.Db.url());
    System.out.println(new java.util.concurrent.ConcurrentHashMap<String, Integer>());
  }
}`,
  // Only in a field's generic signature and a method descriptor: java.sql and java.beans.
  'app/Types.java': `package app;
import java.util.List;
public class Types {
  public List<java.sql.Timestamp> stamps;
  public java.beans.PropertyDescriptor pd(java.beans.PropertyDescriptor p) { return p; }
}`,
  'lib/Db.java': `package lib;
public class Db {
  public static String url() throws Exception {
    javax.xml.parsers.DocumentBuilderFactory.newInstance();
    java.net.http.HttpClient c = null;
    javax.naming.InitialContext ctx = null;
    java.lang.management.ManagementFactory.getRuntimeMXBean();
    return "jdbc:" + (c == null) + (ctx == null);
  }
}`,
};

test('scanJar + jmodPackages give the modules jdeps --list-deps gives (nested jar included)', async (t) => {
  for (const tool of ['javac', 'jar', 'jdeps']) if (!requireTool(t, tool, 'default-jdk-headless')) return;
  const dir = await tempDir(t, 'distill-jdkrefs-');
  for (const [rel, text] of Object.entries(SOURCES)) {
    await mkdir(join(dir, 'src', rel, '..'), { recursive: true });
    await writeFile(join(dir, 'src', rel), text);
  }
  const classes = join(dir, 'classes');
  runOk('javac', ['--release', '17', '-d', classes, ...Object.keys(SOURCES).map((r) => join(dir, 'src', r))]);
  // lib/ goes in its own jar, nested in the app's jar under BOOT-INF/lib.
  const boot = join(dir, 'boot');
  await mkdir(join(boot, 'BOOT-INF', 'lib'), { recursive: true });
  runOk('jar', ['--create', '--file', join(boot, 'BOOT-INF', 'lib', 'lib.jar'), '-C', classes, 'lib']);
  runOk('jar', ['--create', '--file', join(dir, 'app.jar'), '-C', classes, 'app', '-C', boot, 'BOOT-INF']);

  const scan = newRefScan();
  scanJar(await readFile(join(dir, 'app.jar')), 'app.jar', scan);
  assert.equal(scan.jars, 2, 'the nested jar was opened');
  assert.equal(scan.classes, 3);
  const packages = jdkPackages(scan);
  assert.ok(packages.includes('java.sql') && packages.includes('java.beans'), `${packages}`);
  assert.ok(!packages.some((p) => p === 'app' || p === 'lib'), 'the app’s own packages are not the JDK’s');
  const byPackage = await jmodPackages(JMODS);
  const ours = new Set(packages.flatMap((p) => byPackage.get(p) ?? []));

  const listed = runOk('jdeps', ['--multi-release', '17', '--list-deps', classes]);
  const theirs = new Set(
    listed
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.includes('/')),
  );
  assert.deepEqual([...ours].sort(), [...theirs].sort());
  for (const m of [
    'java.base',
    'java.logging',
    'java.sql',
    'java.desktop',
    'java.xml',
    'java.net.http',
    'java.naming',
    'java.management',
  ])
    assert.ok(ours.has(m), `${m} in ${[...ours]}`);
});

test('a truncated or foreign class file is APP_JAVA_JAR_INVALID', () => {
  assert.throws(
    () => classRefs(Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 61, 0, 9, 1, 0, 200]), 'X.class'),
    {
      code: 'APP_JAVA_JAR_INVALID',
    },
  );
  assert.throws(() => classRefs(Buffer.from('not a class file'), 'Y.class'), {
    code: 'APP_JAVA_JAR_INVALID',
  });
});

test('the detector with jlink: base java-base, the JDK packages of the jar and its Class-Path library', async (t) => {
  for (const tool of ['javac', 'jar']) if (!requireTool(t, tool, 'default-jdk-headless')) return;
  const dir = await tempDir(t, 'distill-jlink-detect-');
  for (const [rel, text] of Object.entries(SOURCES)) {
    await mkdir(join(dir, 'src', rel, '..'), { recursive: true });
    await writeFile(join(dir, 'src', rel), text);
  }
  const classes = join(dir, 'classes');
  runOk('javac', ['--release', '17', '-d', classes, ...Object.keys(SOURCES).map((r) => join(dir, 'src', r))]);
  await writeFile(join(dir, 'manifest.txt'), 'Main-Class: app.Main\nClass-Path: lib/db.jar\n');
  const jars = await tempDir(t, 'distill-jlink-jars-');
  runOk('jar', [
    '--create',
    '--file',
    join(jars, 'app.jar'),
    '--manifest',
    join(dir, 'manifest.txt'),
    '-C',
    classes,
    'app',
  ]);
  runOk('jar', ['--create', '--file', join(jars, 'db.jar'), '-C', classes, 'lib']);
  const proj = await project({
    'target/app.jar': await readFile(join(jars, 'app.jar')),
    'target/lib/db.jar': await readFile(join(jars, 'db.jar')),
  });
  const plan = await javaDetector.detect(
    proj,
    { jlink: true, addModules: ['jdk.charsets'] },
    detectContext(),
  );
  assert.ok(plan?.jlink);
  assert.equal(plan.base, 'java-base');
  assert.deepEqual(plan.entrypoint, ['/usr/bin/java', '-jar', '/app/app.jar']);
  assert.equal(plan.jlink.java, 21);
  assert.equal(plan.jlink.jars, 2);
  assert.deepEqual(plan.jlink.addModules, ['jdk.charsets']);
  // java.naming and javax.xml come from the Class-Path library only.
  for (const p of ['java.sql', 'java.beans', 'java.util.logging', 'javax.naming', 'javax.xml.parsers'])
    assert.ok(plan.jlink.packages.includes(p), `${p} in ${plan.jlink.packages}`);
  const plain = await javaDetector.detect(proj, {}, detectContext());
  assert.equal(plain?.base, 'java21');
  assert.equal(plain?.jlink, undefined);
});

test('the host JDK index for the java.desktop trim: module requires, what java.beans classes refer to', async (t) => {
  if (!requireTool(t, 'java', 'default-jdk-headless')) return;
  const { jmodIndex } = await import('../../build/jlink.ts');
  const { desktop } = await jmodIndex(JMODS);
  // module-info's Module attribute (JVMS §4.7.25), against `java --describe-module`.
  const described = runOk('java', ['--describe-module', 'java.sql'])
    .split('\n')
    .filter((l) => l.startsWith('requires '))
    .map((l) => (l.split(' ')[1] as string).replace(/@.*/, ''));
  assert.deepEqual([...(desktop.requires.get('java.sql') ?? [])].sort(), described.sort());
  assert.ok(desktop.requires.get('jdk.accessibility')?.includes('java.desktop'));
  assert.ok(
    !desktop.requires.get('java.base')?.includes('java.desktop'),
    'qualified exports are not requires',
  );
  // Class references and descriptors of java.desktop's classes.
  assert.ok(desktop.links.get('java/beans/BeanDescriptor')?.has('javax/swing/SwingContainer'));
  assert.ok(desktop.files.get('javax.swing')?.some((f) => f.name === 'JButton.class'));
  // A class named only in a string constant (a look and feel UIManager loads by name) is a link too.
  assert.ok(
    desktop.links.get('javax/swing/UIManager')?.has('com/sun/java/swing/plaf/motif/MotifLookAndFeel'),
  );
});
