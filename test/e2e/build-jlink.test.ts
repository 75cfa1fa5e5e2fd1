/**
 * Issue 14 item 8: `distill build --jlink`, for real: a small Java app (logging, JDBC's
 * DriverManager, the TLS trust store) is built with a runtime jlinked in distill's java21:debug
 * image with runc, loaded into the Docker engine and run as nonroot; its modules are the ones its
 * classes use plus --add-modules; JAVA_VERSION is set; the image is compared (gzip, amd64) with
 * the same app on java21 and must be at most 60% of it. Bad input — a module the JDK does not
 * have, no runc on PATH — fails with its code and writes nothing.
 * Needs the Debian archive, runc (run as root), docker, javac/jar.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, type TestContext, test } from 'node:test';
import { distill, needTools } from '../helpers/cli.ts';
import { dockerLoad, dockerRemove, dockerRun, dockerRunOk } from '../helpers/docker.ts';
import { runOk, tempDir } from '../helpers/tools.ts';

const TOOLS = ['runc', 'docker.io:docker', 'default-jdk-headless:javac', 'default-jdk-headless:jar', 'tar'];
const TAG = `distill-e2e-jlink-${process.pid}:1`;
const loaded: string[] = [];
after(() => dockerRemove(loaded));

const HELLO = `
import java.security.KeyStore;
import java.sql.DriverManager;
import java.util.logging.Logger;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
public class Hello {
  public static void main(String[] a) throws Exception {
    Logger.getLogger("hello").fine("quiet");
    TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    f.init((KeyStore) null);
    X509TrustManager tm = (X509TrustManager) f.getTrustManagers()[0];
    StringBuilder mods = new StringBuilder();
    ModuleLayer.boot().modules().stream().map(Module::getName).sorted().forEach(m -> mods.append(m).append(','));
    System.out.println("java=" + System.getProperty("java.version") + " drivers=" + DriverManager.drivers().count()
      + " trusted=" + tm.getAcceptedIssuers().length + " home=" + System.getProperty("java.home"));
    System.out.println("modules=" + mods);
  }
}
`;

/** A project with target/hello.jar (Main-Class Hello). */
async function project(t: TestContext): Promise<string> {
  const dir = await tempDir(t, 'distill-jlink-');
  await writeFile(join(dir, 'Hello.java'), HELLO);
  runOk('javac', ['--release', '17', '-d', join(dir, 'classes'), join(dir, 'Hello.java')]);
  await mkdir(join(dir, 'target'));
  runOk('jar', [
    '--create',
    '--file',
    join(dir, 'target', 'hello.jar'),
    '--main-class',
    'Hello',
    '-C',
    join(dir, 'classes'),
    '.',
  ]);
  return dir;
}

/** The compressed size of the image in an OCI layout: its layers' and config's bytes. */
async function imageBytes(layout: string): Promise<number> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
  const digest = index.manifests[0].digest as string;
  const manifest = JSON.parse(await readFile(join(layout, 'blobs', ...digest.split(':')), 'utf8'));
  return manifest.config.size + manifest.layers.reduce((n: number, l: { size: number }) => n + l.size, 0);
}

describe('distill build --jlink', { timeout: 900_000 }, () => {
  test('a jlinked runtime on java-base runs the app; ≤ 60% of java21 + app', async (t) => {
    if (!needTools(t, TOOLS)) return;
    const dir = await project(t);
    const out = await tempDir(t, 'distill-jlink-out-');
    const archive = join(out, 'jlink.tar');
    const r = distill([
      'build',
      dir,
      '--jlink',
      '--add-modules',
      'jdk.charsets',
      '--no-lock',
      '--output',
      join(out, 'jlink'),
      '--archive',
      archive,
      '--tag',
      TAG,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr + r.stdout, /base java-base \(debian13\) with a runtime jlinked from Java 21/);
    assert.deepEqual(await dockerLoad(archive), [TAG]);
    loaded.push(TAG);
    const run = dockerRunOk([TAG]);
    const m = /^java=(\S+) drivers=0 trusted=(\d+) home=(\S+)$/m.exec(run);
    assert.ok(m, run);
    assert.match(m[1] as string, /^21\./);
    assert.ok(Number(m[2]) > 100, `${m[2]} trusted certificates (java-base's trust store)`);
    assert.equal(m[3], '/usr/lib/jvm/java-21-jlink');
    const modules = (/^modules=(.*)$/m.exec(run)?.[1] ?? '').split(',').filter(Boolean);
    // What the classes use (java.sql brings java.xml and java.transaction.xa), --add-modules, and EC crypto.
    for (const want of ['java.base', 'java.logging', 'java.sql', 'jdk.charsets', 'jdk.crypto.ec'])
      assert.ok(modules.includes(want), `${want} in ${modules}`);
    for (const not of ['java.desktop', 'jdk.compiler', 'jdk.jshell', 'java.management'])
      assert.ok(!modules.includes(not), `${not} not in ${modules}`);
    const env = JSON.parse(runOk('docker', ['image', 'inspect', '--format', '{{json .Config.Env}}', TAG]));
    assert.ok(env.includes(`JAVA_VERSION=${m[1]}`), `${env}`);
    assert.equal(runOk('docker', ['image', 'inspect', '--format', '{{.Config.User}}', TAG]).trim(), '65532');
    // No Debian JRE in the image: only the jlinked one.
    const full = dockerRun(['--entrypoint', '/usr/lib/jvm/java-21-openjdk-amd64/bin/java', TAG, '-version']);
    assert.notEqual(full.status, 0);

    const plain = distill(['build', dir, '--no-lock', '--output', join(out, 'java21')]);
    assert.equal(plain.status, 0, plain.stderr);
    const [small, big] = [await imageBytes(join(out, 'jlink')), await imageBytes(join(out, 'java21'))];
    t.diagnostic(
      `gzip amd64: --jlink ${(small / 1e6).toFixed(1)} MB, java21 + app ${(big / 1e6).toFixed(1)} MB (${((100 * small) / big).toFixed(0)}%)`,
    );
    assert.ok(small <= 0.6 * big, `${small} > 60% of ${big}`);
  });

  test('distill.lock pins the JDK; --frozen-lock builds the same image from it', async (t) => {
    if (!needTools(t, TOOLS)) return;
    const dir = await project(t);
    const out = await tempDir(t, 'distill-jlink-lock-');
    const first = distill(['build', dir, '--jlink', '--output', join(out, 'a'), '--json']);
    assert.equal(first.status, 0, first.stderr);
    const lock = JSON.parse(await readFile(join(dir, 'distill.lock'), 'utf8'));
    assert.equal(lock.inputs.base, 'java-base');
    assert.equal(lock.jdk?.inputs.image, 'java21');
    const kinds = lock.jdk.architectures.amd64.layers.map((l: { kind: string }) => l.kind);
    assert.ok(kinds.includes('jdk'), `${kinds}`);
    const jdkPkgs = lock.jdk.architectures.amd64.layers.flatMap((l: { packages: { name: string }[] }) =>
      l.packages.map((p) => p.name),
    );
    assert.ok(jdkPkgs.includes('openjdk-21-jdk-headless'), `${jdkPkgs}`);
    const again = distill(['build', dir, '--jlink', '--frozen-lock', '--output', join(out, 'b'), '--json']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).digest, JSON.parse(first.stdout).digest);
  });

  test('--add-modules with a module the JDK lacks: APP_JLINK_MODULE_UNKNOWN, nothing written', async (t) => {
    if (!needTools(t, TOOLS)) return;
    const dir = await project(t);
    const out = join(await tempDir(t, 'distill-jlink-bad-'), 'layout');
    const r = distill([
      'build',
      dir,
      '--jlink',
      '--add-modules',
      'jdk.no.such.module',
      '--no-lock',
      '--output',
      out,
    ]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /distill: error APP_JLINK_MODULE_UNKNOWN: --add-modules jdk\.no\.such\.module/);
    assert.ok(!existsSync(out), 'no layout written');
    assert.ok(!existsSync(join(dir, 'distill.lock')), 'no lock written');
  });

  test('no runc on PATH: APP_JLINK_RUNC_MISSING, nothing written', async (t) => {
    if (!needTools(t, TOOLS)) return;
    const dir = await project(t);
    const tmp = await tempDir(t, 'distill-jlink-norunc-');
    // PATH holds tar (the JDK image is unpacked with it) and nothing else.
    await mkdir(join(tmp, 'bin'));
    await symlink(runOk('sh', ['-c', 'command -v tar']).trim(), join(tmp, 'bin', 'tar'));
    const out = join(tmp, 'layout');
    // A module set no other test links, so the runtime is not in the layer cache.
    const r = distill(
      ['build', dir, '--jlink', '--add-modules', 'java.prefs', '--no-lock', '--output', out],
      {
        PATH: join(tmp, 'bin'),
      },
    );
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /distill: error APP_JLINK_RUNC_MISSING: /);
    assert.ok(!existsSync(out), 'no layout written');
  });
});
