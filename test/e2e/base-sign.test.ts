/**
 * `distill base static --sign --attest`: the catalogue image signed and attested (SPDX SBOM and
 * SLSA provenance v1 from its lock) in the CNCF registry it is pushed to and in its OCI layout;
 * cosign 2.5 verifies all of it. Built twice from the same lock, the provenance statement is the
 * same (the second attest finds it already signed by the key: nothing is added).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { distill } from '../helpers/cli.ts';
import { requireTool, run, tempDir } from '../helpers/tools.ts';
import { startRegistry } from '../registry/registry-server.ts';

const PW = { COSIGN_PASSWORD: 'base-sign' };
const VERIFY = ['--insecure-ignore-tlog=true', '--allow-http-registry'];

describe('distill base --sign --attest', () => {
  it('signs and attests static in the registry and the layout; cosign verifies; provenance is reproducible', async (t) => {
    if (!requireTool(t, 'cosign', 'cosign') || !requireTool(t, 'docker-registry', 'docker-registry')) return;
    const dir = await tempDir(t);
    const reg = await startRegistry(t);
    assert.equal(distill(['generate-key-pair', '--output-key-prefix', join(dir, 'k')], PW).status, 0);
    const lock = join(dir, 'static.lock');
    const ref = `${reg.host}/distill/static:latest`;
    const args = (out: string) => [
      'base',
      'static',
      '--lock',
      lock,
      '--output',
      join(dir, out),
      '--push',
      ref,
      '--sign',
      '--attest',
      '--key',
      join(dir, 'k.key'),
      '--json',
      '--quiet',
    ];
    const first = distill(args('a'), PW);
    assert.equal(first.status, 0, first.stderr);
    const r1 = JSON.parse(first.stdout);
    const digest = r1.digest as string;
    assert.deepEqual(
      r1.signed.map((s: { where: string }) => s.where),
      [`oci:${join(dir, 'a')}:latest`, `${reg.host}/distill/static@${digest}`],
    );
    for (const s of r1.signed)
      assert.deepEqual(
        s.attestations.map((a: { predicateType: string }) => a.predicateType),
        ['https://spdx.dev/Document', 'https://slsa.dev/provenance/v1'],
      );
    const pub = join(dir, 'k.pub');
    const cosign = (a: string[]) => run('cosign', a);
    const v = cosign(['verify', '--key', pub, ...VERIFY, `${reg.host}/distill/static@${digest}`]);
    assert.equal(v.status, 0, v.stderr);
    const prov = cosign(['verify-attestation', '--key', pub, ...VERIFY, '--type', 'slsaprovenance1', ref]);
    assert.equal(prov.status, 0, prov.stderr);
    const st = JSON.parse(
      Buffer.from(JSON.parse(prov.stdout.split('\n')[0] as string).payload, 'base64').toString(),
    );
    const deps = st.predicate.buildDefinition.resolvedDependencies as {
      name?: string;
      uri?: string;
      digest: { sha256: string };
    }[];
    const lockSha = createHash('sha256')
      .update(await readFile(lock))
      .digest('hex');
    assert.deepEqual(deps[0], { name: 'static.lock', digest: { sha256: lockSha } });
    // The signed Debian indexes the lock was resolved against, one per suite, by the lock's digests.
    const releases = JSON.parse(await readFile(lock, 'utf8')).releases as { suite: string; sha256: string }[];
    assert.deepEqual(
      releases.map((r) => r.suite),
      ['trixie', 'trixie-updates', 'trixie-security'],
    );
    for (const r of releases)
      assert.ok(
        deps.some((d) => d.uri === `urn:distill:debian:${r.suite}:InRelease` && d.digest.sha256 === r.sha256),
        `${r.suite} InRelease in the statement cosign verified`,
      );
    assert.equal(st.predicate.buildDefinition.internalParameters.debianIndexDigests, undefined);
    assert.ok(deps.some((d) => d.uri?.startsWith('pkg:deb/debian/base-files@')));
    assert.equal(st.predicate.buildDefinition.externalParameters.image, 'static');
    const spdx = cosign(['verify-attestation', '--key', pub, ...VERIFY, '--type', 'spdxjson', ref]);
    assert.equal(spdx.status, 0, spdx.stderr);
    for (const c of [
      ['verify', '--key', pub, '--insecure-ignore-tlog=true', '--local-image', join(dir, 'a')],
      [
        'verify-attestation',
        '--key',
        pub,
        '--insecure-ignore-tlog=true',
        '--type',
        'slsaprovenance1',
        '--local-image',
        join(dir, 'a'),
      ],
    ]) {
      const r = cosign(c);
      assert.equal(r.status, 0, r.stderr);
    }
    // From the lock again: the same image, the same statements, so nothing new is signed.
    const second = distill(args('b'), PW);
    assert.equal(second.status, 0, second.stderr);
    const r2 = JSON.parse(second.stdout);
    assert.equal(r2.digest, digest);
    const registry = r2.signed[1];
    assert.equal(registry.signature.added, 0);
    assert.deepEqual(
      registry.attestations.map((a: { added: number }) => a.added),
      [0, 0],
    );
  });
});
