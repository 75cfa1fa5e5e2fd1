/**
 * Issue 4 acceptance, structure: the catalogue's images share their lower layers byte for byte
 * (static ⊂ base-nossl ⊂ base ⊂ cc ⊂ python3/nodejsNN, base-nossl ⊂ java-base ⊂ javaNN), debug adds the
 * busybox layer (javaNN's debug variants first the JDK's),
 * nonroot changes only the config, and two builds give identical digests, also from an empty
 * cache. Every debian13 amd64 name × variant is built twice into OCI layouts (a few builds at a
 * time) and read back from the layouts' blobs. Needs the Debian archive and the npm registry.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { catalogue } from '../../src/catalogue/index.ts';
import { type BaseResult, buildBase, limiter } from '../helpers/docker.ts';

// Every debian13 image of the catalogue, in catalogue order.
const NAMES = catalogue(13).map((s) => s.name);
const RUNTIMES = NAMES.slice(4).filter((n) => n !== 'java-base');
const VARIANTS = ['latest', 'nonroot', 'debug', 'debug-nonroot'] as const;
/** Built twice more, each from its own empty cache (the npm runtime too, through nodejs22). */
const FROM_EMPTY = ['static', 'python3', 'nodejs22'] as const;

interface Manifest {
  config: { digest: string };
  layers: Array<{ digest: string; mediaType: string; size: number }>;
  annotations?: Record<string, string>;
}
interface Built {
  result: BaseResult;
  manifest: Manifest;
  config: Record<string, unknown> & { config: Record<string, unknown>; rootfs: { diff_ids: string[] } };
}
type Pass = Map<string, Promise<Built>>;

let work: Promise<string> | undefined;
const limit = limiter(3);
const passes = new Map<string, Pass>();

async function blob(layout: string, digest: string): Promise<Buffer> {
  return readFile(join(layout, 'blobs', ...digest.split(':')));
}

/** Builds NAME:VARIANT into a fresh layout and reads its manifest and config back. */
async function build(pass: string, ref: string, env: Record<string, string> = {}): Promise<Built> {
  work ??= mkdtemp(join(tmpdir(), 'distill-e2e-layers-'));
  const dir = await work;
  const layout = join(dir, pass, ref.replace(':', '-'));
  const result = await buildBase(ref, ['--output', layout], env);
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
  assert.equal(index.manifests.length, 1);
  assert.equal(index.manifests[0].digest, result.digest);
  const manifest = JSON.parse((await blob(layout, result.digest)).toString()) as Manifest;
  const config = JSON.parse((await blob(layout, manifest.config.digest)).toString());
  await rm(layout, { recursive: true, force: true });
  return { result, manifest, config };
}

/** Every name × variant, built once under `pass` (started on first use, shared by the tests). */
function everything(pass: string): Pass {
  let p = passes.get(pass);
  if (!p) {
    p = new Map();
    for (const name of NAMES) {
      for (const v of VARIANTS) {
        const ref = `${name}:${v}`;
        const b = limit(() => build(pass, ref));
        b.catch(() => {});
        p.set(ref, b);
      }
    }
    passes.set(pass, p);
  }
  return p;
}

async function get(pass: string, ref: string): Promise<Built> {
  return (await everything(pass).get(ref)) as Built;
}

const layers = (b: Built) => b.manifest.layers.map((l) => l.digest);

after(async () => {
  for (const p of passes.values()) await Promise.allSettled(p.values());
  if (work) await rm(await work, { recursive: true, force: true });
});

describe('distill base: layers shared, variants, reproducible (debian13 amd64)', { timeout: 900_000 }, () => {
  test("base's lower layers are static's and base-nossl's; cc's are base's; python3/nodejs sit on cc, javaNN on java-base on base-nossl", async () => {
    const [st, nossl, base, cc] = await Promise.all(
      ['static', 'base-nossl', 'base', 'cc'].map((n) => get('a', `${n}:latest`)),
    );
    assert.ok(st && nossl && base && cc);
    assert.deepEqual(
      st.result.platforms[0]?.layers.map((l) => l.kind),
      ['root'],
    );
    assert.equal(layers(st).length, 1);
    assert.deepEqual(layers(nossl).slice(0, 1), layers(st));
    assert.equal(layers(nossl).length, 2);
    assert.deepEqual(layers(base).slice(0, 1), layers(st));
    assert.deepEqual(layers(base).slice(0, 2), layers(nossl));
    assert.equal(layers(base).length, 3);
    assert.deepEqual(layers(cc).slice(0, 3), layers(base));
    assert.equal(layers(cc).length, 4);
    assert.deepEqual(
      cc.result.platforms[0]?.layers.map((l) => l.kind),
      ['root', 'libc', 'ssl', 'cc'],
    );
    // The diff_ids agree too (the same uncompressed bytes, not just the same compression).
    assert.deepEqual(base.config.rootfs.diff_ids.slice(0, 2), nossl.config.rootfs.diff_ids);
    assert.deepEqual(cc.config.rootfs.diff_ids.slice(0, 3), base.config.rootfs.diff_ids);
    const runtimeLayers = new Set<string>();
    const javaBase = await get('a', 'java-base:latest');
    assert.deepEqual(layers(javaBase).slice(0, 2), layers(nossl), 'java-base sits on base-nossl');
    assert.deepEqual(
      javaBase.result.platforms[0]?.layers.map((l) => l.kind),
      ['root', 'libc', 'java-base'],
    );
    for (const name of RUNTIMES) {
      const r = await get('a', `${name}:latest`);
      // javaNN = java-base + [runtime] (as distroless: no libssl); python3 and nodejsNN = cc + [runtime].
      const below: Built = name.startsWith('java') ? javaBase : cc;
      const n = layers(below).length;
      assert.deepEqual(layers(r).slice(0, n), layers(below), `${name} sits on ${below.result.name}`);
      assert.equal(layers(r).length, n + 1, `${name} adds one runtime layer`);
      assert.equal(r.result.platforms[0]?.layers[n]?.kind, 'runtime');
      runtimeLayers.add(layers(r)[n] as string);
    }
    assert.equal(runtimeLayers.size, RUNTIMES.length, 'every runtime layer is its own');
  });

  test('debug adds the busybox layer (javaNN: the JDK, then busybox); debug-nonroot has the same layers', async () => {
    const debugLayers = new Set<string>();
    for (const name of NAMES) {
      const [latest, debug, debugNonroot] = await Promise.all(
        ['latest', 'debug', 'debug-nonroot'].map((v) => get('a', `${name}:${v}`)),
      );
      assert.ok(latest && debug && debugNonroot);
      if (/^java\d+$/.test(name)) {
        // Debian's JDK (jcmd, jstack, ...) in its own layer between the JRE and busybox.
        assert.equal(layers(debug).length, layers(latest).length + 2, name);
        assert.deepEqual(layers(debug).slice(0, -2), layers(latest), name);
        assert.equal(debug.result.platforms[0]?.layers.at(-2)?.kind, 'jdk');
      } else {
        assert.equal(layers(debug).length, layers(latest).length + 1, name);
        assert.deepEqual(layers(debug).slice(0, -1), layers(latest), name);
      }
      assert.equal(debug.result.platforms[0]?.layers.at(-1)?.kind, 'debug');
      assert.deepEqual(layers(debugNonroot), layers(debug), name);
      debugLayers.add(layers(debug).at(-1) as string);
      const path = (debug.config.config.Env as string[]).find((e) => e.startsWith('PATH='));
      assert.match(path ?? '', /:\/busybox$/, name);
    }
    assert.equal(debugLayers.size, 1, 'one busybox layer for the whole catalogue');
  });

  test('nonroot differs from latest only in the config (User, WorkingDir)', async () => {
    for (const name of NAMES) {
      for (const [root, nonroot] of [
        ['latest', 'nonroot'],
        ['debug', 'debug-nonroot'],
      ] as const) {
        const [a, b] = await Promise.all([get('a', `${name}:${root}`), get('a', `${name}:${nonroot}`)]);
        assert.ok(a && b);
        assert.deepEqual(b.manifest.layers, a.manifest.layers, `${name}:${nonroot} layers`);
        assert.notEqual(b.manifest.config.digest, a.manifest.config.digest);
        assert.equal(a.config.config.User, '0');
        assert.equal(a.config.config.WorkingDir, '/');
        assert.equal(b.config.config.User, '65532');
        assert.equal(b.config.config.WorkingDir, '/home/nonroot');
        const strip = (c: Built['config']) => {
          const { User: _u, WorkingDir: _w, ...rest } = c.config;
          return { ...c, config: rest };
        };
        assert.deepEqual(
          strip(b.config),
          strip(a.config),
          `${name}:${nonroot} config beyond User/WorkingDir`,
        );
      }
    }
  });

  test('two builds of every image give identical digests', async () => {
    const a = everything('a');
    const b = everything('b');
    for (const [ref, first] of a) {
      const [x, y] = await Promise.all([first, b.get(ref) as Promise<Built>]);
      assert.equal(y.result.digest, x.result.digest, ref);
      // The second build found every layer in the cache.
      assert.ok(
        y.result.platforms[0]?.layers.every((l) => l.cached),
        `${ref}: second build rebuilt a layer`,
      );
    }
  });

  test('from an empty cache, static, python3 and nodejs22 come out the same', async () => {
    const refs = FROM_EMPTY.flatMap((name) => [`${name}:latest`, `${name}:debug-nonroot`]);
    // Each build has its own empty cache, so they run alongside the warm ones.
    await Promise.all(
      refs.map(async (ref) => {
        const cache = await mkdtemp(join(tmpdir(), 'distill-e2e-emptycache-'));
        try {
          const cold = await limit(() => build('cold', ref, { DISTILL_CACHE: cache }));
          assert.ok(
            cold.result.platforms[0]?.layers.every((l) => !l.cached),
            `${ref}: a layer came from an empty cache`,
          );
          const warm = await get('a', ref);
          assert.equal(cold.result.digest, warm.result.digest, ref);
          assert.deepEqual(layers(cold), layers(warm), ref);
        } finally {
          await rm(cache, { recursive: true, force: true });
        }
      }),
    );
  });
});
