/**
 * Issue 13 acceptance, `distill publish` and cross-repository mounts, against the real CNCF
 * registry (docker-registry) and distill's in-process registry: an unchanged second publish sends
 * only HEAD/GET; two shards publishing in parallel (two processes, sharing only the registry)
 * give the same tags, digest for digest, as one machine; an index owner whose other shard never
 * comes stops with PUBLISH_SHARD_TIMEOUT and tags nothing; nodejs22 pushed after python3 into
 * another repository uploads only its runtime layer and config. Needs the Debian archive (and the
 * npm registry for nodejs22). The CLI runs as child processes alongside this one (distillAsync):
 * spawnSync would block the registry's log pipe and the proxy, both served by this process.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { publish as publishVerb } from '../../src/api/index.ts';
import { openArchiveContext } from '../../src/debian/index.ts';
import { type PublishResult, type PushedArtifact, publish } from '../../src/publish/index.ts';
import { FakeRegistry } from '../../src/registry/testing/fake-registry.ts';
import { fakeOptions } from '../../src/registry/testing/options.ts';
import { distillAsync } from '../helpers/docker.ts';
import { type RunResult, requireTool, runOk } from '../helpers/tools.ts';
import { startFaultProxy } from '../registry/fault-proxy.ts';
import { startRegistry } from '../registry/registry-server.ts';

const SMALL = ['--images', 'static,base-nossl', '--variants', 'latest,nonroot'];

function json<T>(r: RunResult): T {
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

/** reference (without HOST/PREFIX) → digest, for every tag a publish reported. */
function tagMap(results: PublishResult[], prefix: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of results)
    for (const t of r.tags) {
      assert.ok(t.reference.startsWith(prefix), t.reference);
      m.set(t.reference.slice(prefix.length), t.digest);
    }
  return m;
}

async function catalog(host: string): Promise<string[]> {
  const r = await fetch(`http://${host}/v2/_catalog`);
  return ((await r.json()) as { repositories: string[] }).repositories;
}

function needRegistry(t: TestContext): boolean {
  return requireTool(t, 'docker-registry', 'docker-registry') && requireTool(t, 'skopeo', 'skopeo');
}

describe('distill publish', () => {
  it('in-process registry: the first publish pushes every tag, the second sends only HEAD and GET', async () => {
    const reg = new FakeRegistry('127.0.0.1:5998');
    const pushed: PushedArtifact[] = [];
    const run = () =>
      publish({
        registry: `${reg.host}/dl`,
        images: ['static', 'base-nossl'],
        variants: ['latest', 'nonroot'],
        arches: ['amd64'],
        stamp: 's1',
        client: fakeOptions(reg),
        archive: (debian) => openArchiveContext({ debian, env: process.env }),
        epoch: 0,
        onPushed: async (p) => void pushed.push(p),
      });
    const first = await run();
    // 2 images × 2 variants × 1 arch; per-arch and index tags, stamped twins, two repositories each.
    assert.equal(first.tags.length, 4 * 2 * 2 * 2);
    assert.equal(first.pushed, first.tags.length);
    assert.ok(first.blobs.mounted > 0, 'the unsuffixed repositories mount from the -debian13 ones');
    // The hook sees each digest once per repository, with the tags that now name it.
    assert.equal(pushed.length, 4 * 2 * 2);
    assert.ok(pushed.every((p) => p.tags.length === 2 && p.reference === `${p.repository}@${p.digest}`));
    const idx = reg.repo('dl/static-debian13');
    const latest = JSON.parse(idx.manifests.get(idx.tags.get('latest') as string)?.raw.toString() as string);
    assert.equal(latest.manifests[0].digest, idx.tags.get('latest-amd64'));
    assert.equal(idx.tags.get('latest-s1'), idx.tags.get('latest'));

    reg.log.length = 0;
    pushed.length = 0;
    const second = await run();
    assert.equal(second.unchanged, second.tags.length);
    assert.equal(second.pushed, 0);
    assert.deepEqual(pushed, []);
    const methods = new Set(reg.log.map((l) => l.method));
    assert.deepEqual([...methods].sort(), ['GET', 'HEAD']);
    assert.equal(reg.count('HEAD', '/manifests/'), second.tags.length, 'one HEAD a tag');
  });

  it('the library verb: defaults from the machine, a shard given as text, aliases and stamps off', async () => {
    const reg = new FakeRegistry('127.0.0.1:5997');
    await assert.rejects(publishVerb(`${reg.host}/lib`, { shard: '0/1', registry: { fetch: reg.fetch } }), {
      code: 'PUBLISH_SHARD_INVALID',
    });
    assert.equal(reg.log.length, 0);
    const r = await publishVerb(`${reg.host}/lib`, {
      images: ['static'],
      variants: ['latest'],
      arches: ['amd64'],
      aliases: false,
      shard: '1/1',
      registry: { fetch: reg.fetch },
    });
    assert.deepEqual(
      r.tags.map((x) => [x.reference, x.kind, x.status]),
      [
        [`${reg.host}/lib/static-debian13:latest-amd64`, 'image', 'pushed'],
        [`${reg.host}/lib/static-debian13:latest`, 'index', 'pushed'],
      ],
    );
    assert.deepEqual([...reg.repos.keys()], ['lib/static-debian13']);
  });

  it('real registry: one machine, then unchanged (only HEAD/GET at a counting proxy), then 2 shards in parallel give the same digests', async (t) => {
    if (!needRegistry(t)) return;
    const reg = await startRegistry(t);
    const common = [...SMALL, '--arch', 'amd64,arm64', '--stamp', 'e2e', '--json', '-q'];
    const one = json<PublishResult>(
      await distillAsync(['publish', '--registry', `${reg.host}/one`, ...common]),
    );
    assert.equal(one.pushed, one.tags.length);
    assert.equal(one.tags.length, 8 * 2 * 2 + 4 * 2 * 2);

    const proxy = await startFaultProxy(t, reg.host);
    // A child process that runs alongside: the proxy lives in this process.
    const again = json<PublishResult>(
      await distillAsync(['publish', '--registry', `${proxy.host}/one`, ...common]),
    );
    assert.equal(again.unchanged, again.tags.length);
    const methods = new Set(proxy.records.map((r) => r.method));
    assert.deepEqual([...methods].sort(), ['GET', 'HEAD'], JSON.stringify([...methods]));

    const shards = await Promise.all(
      ['1/2', '2/2'].map((s) =>
        distillAsync([
          'publish',
          '--registry',
          `${reg.host}/two`,
          ...common,
          '--shard',
          s,
          '--shard-timeout',
          '300',
        ]),
      ),
    );
    const results = shards.map((r) => json<PublishResult>(r));
    assert.deepEqual(
      results.map((r) => [r.shard, r.units, r.indexes]),
      [
        ['1/2', 4, 2],
        ['2/2', 4, 2],
      ],
    );
    const single = tagMap([one], `${reg.host}/one/`);
    const sharded = tagMap(results, `${reg.host}/two/`);
    assert.deepEqual([...sharded.keys()].sort(), [...single.keys()].sort());
    for (const [k, d] of single) assert.equal(sharded.get(k), d, k);
    // An independent reader sees the same index behind the tag.
    const raw = runOk('skopeo', [
      'inspect',
      '--raw',
      '--tls-verify=false',
      `docker://${reg.host}/two/static:nonroot`,
    ]);
    const index = JSON.parse(raw) as { manifests: { platform: { architecture: string } }[] };
    assert.deepEqual(
      index.manifests.map((m) => m.platform.architecture),
      ['amd64', 'arm64'],
    );
    assert.equal(
      runOk('skopeo', [
        'inspect',
        '--format',
        '{{.Digest}}',
        '--tls-verify=false',
        `docker://${reg.host}/two/static:nonroot`,
      ]).trim(),
      single.get('static:nonroot'),
    );
  });

  it('an index owner whose other shard never comes stops with PUBLISH_SHARD_TIMEOUT and tags no index', async (t) => {
    if (!needRegistry(t)) return;
    const reg = await startRegistry(t);
    const r = await distillAsync([
      'publish',
      '--registry',
      `${reg.host}/lonely`,
      '--images',
      'static',
      '--variants',
      'latest',
      '--arch',
      'amd64,arm64',
      '--shard',
      '1/2',
      '--stamp',
      'lonely',
      '--shard-timeout',
      '1',
      '-q',
    ]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /PUBLISH_SHARD_TIMEOUT/);
    assert.match(r.stderr, /lonely\/static-debian13:latest-arm64/);
    // Its own per-arch image is there; no index names a missing child.
    const head = (tag: string) =>
      fetch(`http://${reg.host}/v2/lonely/static-debian13/manifests/${tag}`, {
        method: 'HEAD',
        headers: {
          accept: 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json',
        },
      }).then((x) => x.status);
    assert.equal(await head('latest-amd64'), 200);
    assert.equal(await head('latest'), 404);
  });

  it('bad flags are coded errors and the registry is left untouched', async (t) => {
    if (!needRegistry(t)) return;
    const reg = await startRegistry(t);
    const cases: [string[], string][] = [
      [['--registry', `${reg.host}/x`, '--shard', '3/2'], 'PUBLISH_SHARD_INVALID'],
      // Shards must agree on the stamp; today's date may differ between them.
      [['--registry', `${reg.host}/x`, '--shard', '1/2'], 'CLI_USAGE'],
      [['--registry', `${reg.host}/x`, '--images', 'nope'], 'PUBLISH_SELECTION_INVALID'],
      [['--registry', `${reg.host}/x`, '--arch', 'mips'], 'PUBLISH_SELECTION_INVALID'],
      [['--registry', `${reg.host}/x`, '--stamp', 'a/b'], 'PUBLISH_STAMP_INVALID'],
      [['--registry', 'distroless/static'], 'PUBLISH_REGISTRY_INVALID'],
      [[], 'CLI_USAGE'],
    ];
    for (const [args, code] of cases) {
      const r = await distillAsync(['publish', ...args, '-q']);
      assert.notEqual(r.status, 0, args.join(' '));
      assert.match(r.stderr, new RegExp(`error ${code}`), `${args.join(' ')}: ${r.stderr}`);
    }
    assert.deepEqual(await catalog(reg.host), []);
  });

  it('nodejs22 pushed after python3 into another repository uploads only its runtime layer and config', async (t) => {
    if (!needRegistry(t)) return;
    const reg = await startRegistry(t);
    type Base = {
      push: { blobs: { existing: number; mounted: number; uploaded: number; uploadedBytes: number } };
      platforms: { layers: { kind: string; digest: string }[] }[];
    };
    const py = json<Base>(
      await distillAsync(['base', 'python3', '--push', `${reg.host}/lang/python3:latest`, '--json', '-q']),
    );
    assert.equal(py.push.blobs.mounted, 0);
    const node = json<Base>(
      await distillAsync(['base', 'nodejs22', '--push', `${reg.host}/other/nodejs22:latest`, '--json', '-q']),
    );
    const pyLayers = new Set(py.platforms[0]?.layers.map((l) => l.digest));
    const nodeLayers = node.platforms[0]?.layers ?? [];
    const fresh = nodeLayers.filter((l) => !pyLayers.has(l.digest));
    assert.ok(fresh.length >= 1 && fresh.every((l) => l.kind === 'runtime'), JSON.stringify(fresh));
    assert.deepEqual(node.push.blobs, {
      existing: 0,
      mounted: nodeLayers.length - fresh.length,
      uploaded: fresh.length + 1,
      uploadedBytes: node.push.blobs.uploadedBytes,
    });
    assert.ok(node.push.blobs.mounted >= 3, 'root, libs and cc layers at least');
  });
});
