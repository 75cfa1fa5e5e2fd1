/**
 * Issue 14, Java: the Java images in the real Docker engine (debian13 amd64).
 * - java21/java25 draw text: a jar renders a string with Graphics2D into a PNG (libfontmanager,
 *   harfbuzz, freetype, fontconfig, DejaVu), as root and as nonroot; the PNG is decoded and must
 *   have the glyphs' dark pixels where the text was drawn.
 * - JAVA_VERSION is set as distroless sets it, and equals the JVM's own java.version.
 * - the debug variants carry Debian's JDK in the JRE's java.home: `jcmd 1 VM.version` and
 *   `jstack 1` against a running app, through `docker exec`; the non-debug image has no jcmd.
 * - java-base has the fonts, the trust store and the C.utf8 locale but no JVM, and javaNN sits on it.
 * Needs the Debian archive, docker, javac/jar and gcc (for a static file reader).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, type TestContext, test } from 'node:test';
import { needTools } from '../helpers/cli.ts';
import {
  buildBase,
  dockerInspect,
  dockerLoad,
  dockerRemove,
  dockerRun,
  dockerRunOk,
  limiter,
  testPrograms,
} from '../helpers/docker.ts';
import { darkColumns, javaPrograms, readPng } from '../helpers/java-programs.ts';
import { run } from '../helpers/tools.ts';

const TOOLS = ['docker.io:docker', 'gcc', 'default-jdk-headless:javac', 'default-jdk-headless:jar'];
const REFS = ['java-base', 'java21', 'java21:nonroot', 'java21:debug', 'java25', 'java25:debug-nonroot'];
const REPO = `distill-e2e-java-${process.pid}`;

interface State {
  dir: string;
  tags: Map<string, Promise<string>>;
}
let state: Promise<State> | undefined;
const loaded: string[] = [];

function ready(t: TestContext): boolean {
  if (!needTools(t, TOOLS)) return false;
  state ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'distill-e2e-java-'));
    testPrograms.tool(dir);
    javaPrograms.draw(dir);
    javaPrograms.wait(dir);
    const limit = limiter(2);
    const tags = new Map<string, Promise<string>>();
    for (const ref of REFS) {
      const p = limit(async () => {
        const archive = join(dir, `${ref.replace(':', '-')}.tar`);
        const tag = `${REPO}/${ref.replace(':', '-')}:1`;
        await buildBase(ref, ['--archive', archive, '--tag', tag]);
        assert.deepEqual(await dockerLoad(archive), [tag]);
        loaded.push(tag);
        await rm(archive, { force: true });
        return tag;
      });
      p.catch(() => {});
      tags.set(ref, p);
    }
    return { dir, tags };
  })();
  return true;
}

async function image(ref: string): Promise<{ dir: string; tag: string }> {
  const s = await (state as Promise<State>);
  return { dir: s.dir, tag: await (s.tags.get(ref) as Promise<string>) };
}

after(async () => {
  if (!state) return;
  const s = await state;
  await Promise.allSettled(s.tags.values());
  dockerRemove(loaded);
  await rm(s.dir, { recursive: true, force: true });
});

/** The JVM's java.version, from -XshowSettings. */
function javaVersionProperty(tag: string): string {
  const r = dockerRun(['--entrypoint', '/usr/bin/java', tag, '-XshowSettings:properties', '-version']);
  assert.equal(r.status, 0, r.stderr);
  const m = /^\s*java\.version = (\S+)$/m.exec(r.stderr);
  assert.ok(m, r.stderr);
  return m[1] as string;
}

describe('Java images: fonts, JAVA_VERSION, the JDK in debug, java-base', { timeout: 900_000 }, () => {
  for (const ref of ['java21', 'java21:nonroot', 'java25']) {
    test(`${ref}: Graphics2D draws a string into a PNG`, async (t) => {
      if (!ready(t)) return;
      const { dir, tag } = await image(ref);
      const png = `${ref.replace(':', '-')}.png`;
      const out = dockerRunOk(['-v', `${dir}:/t`, tag, '/t/draw.jar', `/t/${png}`]);
      const m = /^width=(\d+) families=(\d+)$/m.exec(out);
      assert.ok(m, out);
      assert.ok(Number(m[1]) > 40, `text width ${m[1]}`);
      assert.ok(Number(m[2]) >= 5, `${m[2]} font families (the logical ones and DejaVu)`);
      const img = readPng(await readFile(join(dir, png)));
      assert.deepEqual([img.width, img.height], [200, 50]);
      const cols = [...darkColumns(img)];
      // "distill" at x=10 in 24 px SansSerif: glyph pixels from about x=10 to x=10+width.
      assert.ok(cols.length > 20, `${cols.length} columns with ink`);
      assert.ok(Math.min(...cols) >= 9 && Math.max(...cols) <= 12 + Number(m[1]), `ink at ${cols}`);
    });
  }

  for (const ref of ['java21', 'java25']) {
    test(`${ref}: JAVA_VERSION is the upstream version, the JVM's java.version`, async (t) => {
      if (!ready(t)) return;
      const { tag } = await image(ref);
      const env = dockerInspect(tag).Config.Env ?? [];
      const v = env.find((e) => e.startsWith('JAVA_VERSION='))?.slice('JAVA_VERSION='.length);
      assert.ok(v, `${env}`);
      assert.equal(v, javaVersionProperty(tag));
      assert.match(v, new RegExp(`^${ref.slice(4)}\\.\\d+\\.\\d+`));
    });
  }

  for (const [ref, major, uid] of [
    ['java21:debug', 21, '0'],
    ['java25:debug-nonroot', 25, '65532'],
  ] as const) {
    test(`${ref}: jcmd 1 VM.version and jstack 1 against a running app (docker exec)`, async (t) => {
      if (!ready(t)) return;
      const { dir, tag } = await image(ref);
      const name = `${REPO}-${major}`;
      const started = run('docker', ['run', '-d', '--name', name, '-v', `${dir}:/t:ro`, tag, '/t/wait.jar']);
      assert.equal(started.status, 0, started.stderr);
      t.after(() => run('docker', ['rm', '-f', name]));
      for (let i = 0; i < 60 && !run('docker', ['logs', name]).stdout.includes('up'); i++)
        await new Promise((r) => setTimeout(r, 500));
      const vm = run('docker', ['exec', name, 'jcmd', '1', 'VM.version'], { timeout: 60_000 });
      assert.equal(vm.status, 0, vm.stderr + vm.stdout);
      assert.match(vm.stdout, new RegExp(`^JDK ${major}\\.`, 'm'), vm.stdout);
      assert.match(vm.stdout, /OpenJDK 64-Bit Server VM/);
      const stack = run('docker', ['exec', name, 'jstack', '1'], { timeout: 60_000 });
      assert.equal(stack.status, 0, stack.stderr);
      assert.match(stack.stdout, /"main" #\d+ .*\n\s+java\.lang\.Thread\.State: TIMED_WAITING/);
      assert.equal(run('docker', ['exec', name, 'id', '-u']).stdout.trim(), uid);
      // One java.home: the tools are Debian's JDK beside the JRE the app runs on.
      const home = `/usr/lib/jvm/java-${major}-openjdk-amd64`;
      for (const tool of ['jcmd', 'jstack', 'jmap', 'jshell', 'javac', 'jlink'])
        assert.equal(
          run('docker', ['exec', name, 'readlink', `/usr/bin/${tool}`]).stdout.trim(),
          `${home}/bin/${tool}`,
        );
      assert.equal(
        run('docker', ['exec', name, 'readlink', '/usr/bin/java']).stdout.trim(),
        `${home}/bin/java`,
      );
    });
  }

  test('java21 (not debug) has no JDK tools', async (t) => {
    if (!ready(t)) return;
    const { tag } = await image('java21');
    const r = dockerRun(['--entrypoint', '/usr/bin/jcmd', tag]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /no such file or directory/i);
  });

  test('java-base: fonts, trust store, C.utf8, no JVM; java21 sits on it', async (t) => {
    if (!ready(t)) return;
    const { dir, tag } = await image('java-base');
    const cat = (f: string) =>
      run('docker', ['run', '--rm', '-v', `${dir}:/t:ro`, '--entrypoint', '/t/tool', tag, 'cat', f]);
    assert.equal(cat('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf').status, 0);
    assert.match(cat('/etc/fonts/fonts.conf').stdout, /<fontconfig>/);
    // The JKS trust store (about 1 KB a certificate, > 100 certificates).
    const ks = cat('/etc/ssl/certs/java/cacerts');
    assert.equal(ks.status, 0, ks.stderr);
    assert.ok(ks.stdout.length > 100_000, `cacerts: ${ks.stdout.length} bytes`);
    assert.equal(cat('/usr/lib/locale/C.utf8/LC_CTYPE').status, 0);
    const java = dockerRun(['--entrypoint', '/usr/bin/java', tag, '-version']);
    assert.notEqual(java.status, 0);
    assert.match(java.stderr, /no such file or directory/i);
    const cfg = dockerInspect(tag);
    assert.equal(cfg.Config.Entrypoint ?? null, null);
    assert.ok(cfg.Config.Env?.includes('LANG=C.UTF-8'));
    const base = cfg.RootFS.Layers;
    const { tag: java21 } = await image('java21');
    const layers = dockerInspect(java21).RootFS.Layers;
    assert.deepEqual(layers.slice(0, base.length), base);
    assert.equal(layers.length, base.length + 1, 'java21 = java-base + the JRE');
  });
});
