/**
 * `distill publish --key`: every pushed image and index is signed as cosign signs, and attested
 * (SPDX SBOM; SLSA provenance v1 from the image's build lock), checked by the real cosign 2.5
 * against the real CNCF registry. A second, unchanged publish signs nothing again; a wrong
 * password stops before anything is built or pushed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import type { PublishResult } from '../../src/publish/index.ts';
import { distill, needTools } from '../helpers/cli.ts';
import { distillAsync } from '../helpers/docker.ts';
import { run, tempDir } from '../helpers/tools.ts';
import { startRegistry } from '../registry/registry-server.ts';

const PW = { COSIGN_PASSWORD: 'publish pw' };
/** What cosign 2.5 needs for a registry on loopback http and no transparency log. */
const VERIFY = ['--insecure-ignore-tlog=true', '--allow-http-registry'];

const needPeers = (t: TestContext) => needTools(t, ['cosign', 'docker-registry']);

async function sigTagDigest(host: string, repo: string, digest: string): Promise<string | null> {
  const r = await fetch(`http://${host}/v2/${repo}/manifests/sha256-${digest.slice(7)}.sig`, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
  });
  return r.ok ? r.headers.get('docker-content-digest') : null;
}

describe('distill publish --key', () => {
  it('cosign verifies the signatures and attestations of every pushed tag; an unchanged publish signs nothing again', async (t) => {
    if (!needPeers(t)) return;
    const dir = await tempDir(t);
    const reg = await startRegistry(t);
    const gen = distill(['generate-key-pair', '--output-key-prefix', join(dir, 'k')], PW);
    assert.equal(gen.status, 0, gen.stderr);
    const key = join(dir, 'k.key');
    const pub = join(dir, 'k.pub');
    const args = [
      'publish',
      '--registry',
      `${reg.host}/signed`,
      '--images',
      'static',
      '--variants',
      'nonroot',
      '--arch',
      'amd64',
      '--no-aliases',
      '--stamp',
      'e2e',
      '--key',
      key,
      '--json',
      '-q',
    ];
    const first = await distillAsync(args, PW);
    assert.equal(first.status, 0, first.stderr);
    const r1 = JSON.parse(first.stdout) as PublishResult;
    assert.equal(r1.pushed, r1.tags.length);
    const repo = 'signed/static-debian13';
    const image = r1.tags.find((x) => x.kind === 'image');
    const index = r1.tags.find((x) => x.kind === 'index');
    assert.ok(image && index);

    for (const tag of ['nonroot', 'nonroot-amd64']) {
      const v = run('cosign', ['verify', '--key', pub, ...VERIFY, `${reg.host}/${repo}:${tag}`]);
      assert.equal(v.status, 0, `${tag}: ${v.stderr}`);
      const payload = JSON.parse(v.stdout)[0];
      const want: string = tag === 'nonroot' ? index.digest : image.digest;
      assert.equal(payload.critical.image['docker-manifest-digest'], want);
    }
    const types = [
      ['nonroot-amd64', 'spdxjson'],
      ['nonroot-amd64', 'slsaprovenance1'],
      ['nonroot', 'spdxjson'],
    ];
    for (const [tag, type] of types) {
      const va = run('cosign', [
        'verify-attestation',
        '--key',
        pub,
        ...VERIFY,
        '--type',
        type as string,
        `${reg.host}/${repo}:${tag}`,
      ]);
      assert.equal(va.status, 0, `${tag} ${type}: ${va.stderr}`);
    }
    // The index has no lock of its own: no provenance for it, so cosign finds none.
    const none = run('cosign', [
      'verify-attestation',
      '--key',
      pub,
      ...VERIFY,
      '--type',
      'slsaprovenance1',
      `${reg.host}/${repo}:nonroot`,
    ]);
    assert.notEqual(none.status, 0);

    const sigBefore = await sigTagDigest(reg.host, repo, image.digest);
    assert.ok(sigBefore);
    const second = await distillAsync(args, PW);
    assert.equal(second.status, 0, second.stderr);
    const r2 = JSON.parse(second.stdout) as PublishResult;
    assert.equal(r2.unchanged, r2.tags.length);
    assert.equal(await sigTagDigest(reg.host, repo, image.digest), sigBefore, 'not signed again');
  });

  it('a wrong password stops before anything is built or pushed', async (t) => {
    if (!needPeers(t)) return;
    const dir = await tempDir(t);
    const reg = await startRegistry(t);
    assert.equal(distill(['generate-key-pair', '--output-key-prefix', join(dir, 'k')], PW).status, 0);
    const r = await distillAsync(
      ['publish', '--registry', `${reg.host}/x`, '--images', 'static', '--key', join(dir, 'k.key')],
      { COSIGN_PASSWORD: 'wrong' },
    );
    assert.equal(r.status, 1);
    assert.match(r.stderr, /SIGN_KEY_PASSWORD_WRONG/);
    const cat = (await (await fetch(`http://${reg.host}/v2/_catalog`)).json()) as { repositories: string[] };
    assert.deepEqual(cat.repositories, []);
    const noKey = await distillAsync(['publish', '--registry', `${reg.host}/x`, '--no-attest']);
    assert.equal(noKey.status, 2);
    assert.match(noKey.stderr, /CLI_USAGE/);
  });
});
