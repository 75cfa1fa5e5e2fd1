/**
 * Issue 14 item 8: what `distill build --jlink` may leave out of java.desktop, for real (java21's
 * JDK with runc, the Docker engine):
 * - an app that uses java.beans only (Introspector, property editors, XMLEncoder/XMLDecoder, and
 *   reading its beans by reflection as Jackson does): what java.beans' own classes reach in
 *   java.desktop is computed, and it is AWT and Swing (BeanDescriptor reads
 *   javax.swing.SwingContainer), so nothing is left out; the app runs as nonroot and prints the
 *   right JSON and XML; --jlink-keep-all is reported as such;
 * - an app that draws text with Graphics2D and writes a PNG with ImageIO keeps java.desktop whole
 *   (libawt, libfontmanager): the PNG it writes in the container has the glyphs' ink.
 * Needs the Debian archive, runc (run as root), docker, javac/jar.
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, type TestContext, test } from 'node:test';
import { distill, needTools } from '../helpers/cli.ts';
import { dockerLoad, dockerRemove, dockerRunOk } from '../helpers/docker.ts';
import { darkColumns, javaPrograms, readPng } from '../helpers/java-programs.ts';
import { runOk, tempDir } from '../helpers/tools.ts';

const TOOLS = ['runc', 'docker.io:docker', 'default-jdk-headless:javac', 'default-jdk-headless:jar', 'tar'];
const REPO = `distill-e2e-jlink-trim-${process.pid}`;
const loaded: string[] = [];
after(() => dockerRemove(loaded));

const BEANS = `
import java.beans.*;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.util.*;
public class Beans {
  public static class Order {
    private String id = "o-1"; private int qty = 3; private List<String> tags = new ArrayList<>(List.of("a", "b"));
    public String getId() { return id; } public void setId(String v) { id = v; }
    public int getQty() { return qty; } public void setQty(int v) { qty = v; }
    public List<String> getTags() { return tags; } public void setTags(List<String> v) { tags = v; }
  }
  /** What Jackson does with a bean: its properties from Introspector, read through their getters. */
  static String json(Object bean) throws Exception {
    StringBuilder s = new StringBuilder("{");
    for (PropertyDescriptor p : Introspector.getBeanInfo(bean.getClass(), Object.class).getPropertyDescriptors()) {
      Method get = p.getReadMethod();
      Object v = get.invoke(bean);
      if (s.length() > 1) s.append(',');
      s.append('"').append(p.getName()).append("\\":");
      s.append(v instanceof Number ? v.toString() : v instanceof List ? v.toString().replace("[", "[\\"").replace("]", "\\"]").replace(", ", "\\",\\"") : "\\"" + v + "\\"");
    }
    return s.append('}').toString();
  }
  public static void main(String[] a) throws Exception {
    Order o = new Order();
    PropertyEditor ed = PropertyEditorManager.findEditor(int.class);
    ed.setAsText("42");
    new BeanInfoSetter(o).set("qty", ed.getValue());
    System.out.println("json=" + json(o));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (XMLEncoder x = new XMLEncoder(out)) { x.writeObject(o); }
    Order back;
    try (XMLDecoder d = new XMLDecoder(new java.io.ByteArrayInputStream(out.toByteArray()))) { back = (Order) d.readObject(); }
    System.out.println("xml=" + (out.toString().contains("<int>42</int>") ? "ok" : out) + " back=" + back.getQty());
    System.out.println("swing=" + present("javax.swing.JButton") + " beans=" + present("java.beans.Introspector"));
  }
  static boolean present(String cls) {
    try { Class.forName(cls); return true; } catch (Throwable e) { return false; }
  }
  /** Sets a property through its PropertyDescriptor's write method, as a binder does. */
  record BeanInfoSetter(Object bean) {
    void set(String name, Object v) throws Exception {
      for (PropertyDescriptor p : Introspector.getBeanInfo(bean.getClass()).getPropertyDescriptors())
        if (p.getName().equals(name)) p.getWriteMethod().invoke(bean, v);
    }
  }
}
`;

/** A project with target/NAME.jar (Main-Class CLS) from CLS's source, or from a ready jar. */
async function project(t: TestContext, cls: string, source?: string): Promise<string> {
  const dir = await tempDir(t, 'distill-jlink-trim-');
  await mkdir(join(dir, 'target'));
  if (source) {
    await writeFile(join(dir, `${cls}.java`), source);
    runOk('javac', ['--release', '17', '-d', join(dir, 'classes'), join(dir, `${cls}.java`)]);
    runOk('jar', [
      '--create',
      '--file',
      join(dir, 'target', 'app.jar'),
      '--main-class',
      cls,
      '-C',
      join(dir, 'classes'),
      '.',
    ]);
  } else {
    const tools = await tempDir(t, 'distill-jlink-draw-');
    copyFileSync(join(tools, javaPrograms.draw(tools)), join(dir, 'target', 'app.jar'));
  }
  return dir;
}

/** The paths in every layer of the image in an OCI layout. */
async function layoutFiles(layout: string): Promise<string[]> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
  const blob = (d: string) => join(layout, 'blobs', ...d.split(':'));
  const manifest = JSON.parse(await readFile(blob(index.manifests[0].digest), 'utf8'));
  return manifest.layers.flatMap((l: { digest: string }) =>
    runOk('tar', ['-tzf', blob(l.digest)]).split('\n'),
  );
}

interface Built {
  tag: string;
  json: {
    jlink: {
      arch: string;
      modules: string[];
      trimmed: { why: string; packages: string[]; natives: string[]; files: number };
    }[];
  };
  files: string[];
}

async function build(t: TestContext, dir: string, name: string, extra: string[] = []): Promise<Built> {
  const out = await tempDir(t, 'distill-jlink-trim-out-');
  const tag = `${REPO}/${name}:1`;
  const archive = join(out, 'image.tar');
  const r = distill([
    'build',
    dir,
    '--jlink',
    ...extra,
    '--no-lock',
    '--json',
    '--output',
    join(out, 'layout'),
    '--archive',
    archive,
    '--tag',
    tag,
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(await dockerLoad(archive), [tag]);
  loaded.push(tag);
  return { tag, json: JSON.parse(r.stdout), files: await layoutFiles(join(out, 'layout')) };
}

const HOME = 'usr/lib/jvm/java-21-jlink';

describe('distill build --jlink: java.desktop trimmed only where java.beans does not reach', {
  timeout: 900_000,
}, () => {
  test('java.beans + reflection: java.beans reaches AWT and Swing, so java.desktop stays whole and the app runs', async (t) => {
    if (!needTools(t, TOOLS)) return;
    const dir = await project(t, 'Beans', BEANS);
    const b = await build(t, dir, 'beans');
    const rt = b.json.jlink[0];
    assert.ok(rt, 'the JSON reports the jlinked runtime');
    assert.ok(rt.modules.includes('java.desktop'), `${rt.modules}`);
    // java.beans.BeanDescriptor reads javax.swing.SwingContainer; Beans reaches java.applet and java.awt.
    assert.deepEqual([rt.trimmed.packages, rt.trimmed.natives, rt.trimmed.files], [[], [], 0]);
    assert.match(rt.trimmed.why, /java\.desktop kept whole: java\.beans reaches java\.awt/);
    for (const lib of ['libawt.so', 'libfontmanager.so'])
      assert.ok(b.files.includes(`${HOME}/lib/${lib}`), `${lib} kept`);
    const out = dockerRunOk([b.tag]);
    assert.match(out, /^json=\{"id":"o-1","qty":42,"tags":\["a","b"\]\}$/m);
    assert.match(out, /^xml=ok back=42$/m);
    assert.match(out, /^swing=true beans=true$/m);

    const whole = await build(t, dir, 'beans-whole', ['--jlink-keep-all']);
    assert.match(whole.json.jlink[0]?.trimmed.why ?? '', /kept whole: --jlink-keep-all/);
    assert.match(dockerRunOk([whole.tag]), /^json=\{"id":"o-1","qty":42,"tags":\["a","b"\]\}$/m);
  });

  test('Graphics2D text into a PNG: java.desktop kept whole, fonts work under the jlinked runtime', async (t) => {
    if (!needTools(t, TOOLS)) return;
    const dir = await project(t, 'Draw');
    const b = await build(t, dir, 'draw');
    const [rt] = b.json.jlink;
    assert.deepEqual(rt?.trimmed.packages, []);
    assert.match(rt?.trimmed.why ?? '', /kept whole: the classes refer to java\.awt/);
    for (const lib of ['libawt.so', 'libawt_headless.so', 'libfontmanager.so', 'libmlib_image.so'])
      assert.ok(b.files.includes(`${HOME}/lib/${lib}`), `${lib} kept`);
    const host = await tempDir(t, 'distill-jlink-png-');
    runOk('chmod', ['777', host]);
    const out = dockerRunOk(['-v', `${host}:/t`, b.tag, '/t/draw.png']);
    const m = /^width=(\d+) families=(\d+)$/m.exec(out);
    assert.ok(m, out);
    assert.ok(Number(m[1]) > 40, `text width ${m[1]}`);
    assert.ok(Number(m[2]) >= 5, `${m[2]} font families`);
    const img = readPng(await readFile(join(host, 'draw.png')));
    assert.deepEqual([img.width, img.height], [200, 50]);
    const cols = [...darkColumns(img)];
    assert.ok(cols.length > 20, `${cols.length} columns with ink`);
    assert.ok(Math.min(...cols) >= 9 && Math.max(...cols) <= 12 + Number(m[1]), `ink at ${cols}`);
  });
});
