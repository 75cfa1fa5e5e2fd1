import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inTotoStatement, PREDICATE_TYPES } from '../attest/index.ts';
import { readLayout, readLayoutIndex, writeLayout } from '../oci/layout/index.ts';
import { pullArtifact, pushArtifact } from '../registry/index.ts';
import { FakeRegistry } from '../registry/testing/fake-registry.ts';
import { testImage, testIndex } from '../registry/testing/images.ts';
import { fakeOptions } from '../registry/testing/options.ts';
import {
  artifactTypeOf,
  attestImage,
  generateKeyPair,
  keySigner,
  keyVerifier,
  layoutStore,
  registryStore,
  SIGNATURE_ANNOTATION,
  signImage,
  verifyAttestations,
  verifySignatures,
} from './index.ts';

const pair = () => {
  const { privateKey, publicKey } = generateKeyPair();
  return { signer: keySigner(privateKey), verifier: keyVerifier(publicKey) };
};

describe('signatures in a registry (the fake registry)', () => {
  it('signs into the .sig tag, appends another key`s signature, skips a duplicate, verifies', async () => {
    const reg = new FakeRegistry();
    const opts = fakeOptions(reg);
    const img = testImage();
    await pushArtifact(img, `${reg.host}/app:1`, opts);
    const a = pair();
    const b = pair();
    const store = await registryStore(`${reg.host}/app:1`, opts);
    assert.equal(store.name, `${reg.host}/app`);
    const r1 = await signImage(store, a.signer);
    const tag = `sha256-${img.descriptor.digest.slice(7)}.sig`;
    assert.equal(r1.location, `${reg.host}/app:${tag}`);
    assert.equal(reg.repo('app').tags.get(tag), r1.digest);
    assert.equal(r1.referrer, undefined, 'no referrers API: the tag only');
    assert.ok(reg.count('GET', '/referrers/') > 0, 'the referrers API was asked for');
    const r2 = await signImage(store, b.signer);
    assert.deepEqual([r2.layers, r2.added], [2, 1]);
    const r3 = await signImage(store, a.signer);
    assert.deepEqual([r3.layers, r3.added], [2, 0], 'a payload this key signed is not signed again');
    const v = await verifySignatures(store, a.verifier);
    assert.equal(v.verified.length, 1);
    assert.equal(v.rejected.length, 1, "b's signature does not verify with a's key");
    const payload = JSON.parse(v.verified[0]?.payload.toString() as string);
    assert.equal(payload.critical.image['docker-manifest-digest'], img.descriptor.digest);
    assert.equal(payload.critical.identity['docker-reference'], `${reg.host}/app`);
    // The signature manifest is the shape cosign writes.
    const sig = await pullArtifact(`${reg.host}/app:${tag}`, opts);
    assert.equal(sig.kind, 'image');
    if (sig.kind !== 'image') return;
    assert.equal(sig.manifest.config.mediaType, 'application/vnd.oci.image.config.v1+json');
    assert.deepEqual(
      sig.manifest.layers.map((l) => l.mediaType),
      [
        'application/vnd.dev.cosign.simplesigning.v1+json',
        'application/vnd.dev.cosign.simplesigning.v1+json',
      ],
    );
  });

  it('a tampered signature or a signature of another image is SIGN_VERIFY_FAILED; none is SIGN_NOT_FOUND', async () => {
    const reg = new FakeRegistry();
    const opts = fakeOptions(reg);
    const img = testImage();
    const other = testImage();
    await pushArtifact(img, `${reg.host}/app:1`, opts);
    await pushArtifact(other, `${reg.host}/app:2`, opts);
    const a = pair();
    const store = await registryStore(`${reg.host}/app:1`, opts);
    await assert.rejects(verifySignatures(store, a.verifier), { code: 'SIGN_NOT_FOUND' });
    await signImage(store, a.signer);
    const good = await store.read('sig');
    // Another annotation value: the signature no longer matches the payload.
    const flipped = good.map((l) => ({
      ...l,
      annotations: { ...l.annotations, [SIGNATURE_ANNOTATION]: Buffer.from('MEUCIQ').toString('base64') },
    }));
    await store.write('sig', flipped, 0);
    await assert.rejects(verifySignatures(store, a.verifier), { code: 'SIGN_VERIFY_FAILED' });
    // A valid signature of the other image, copied under this image's tag.
    const otherStore = await registryStore(`${reg.host}/app:2`, opts);
    await signImage(otherStore, a.signer);
    await store.write('sig', await otherStore.read('sig'), 0);
    await assert.rejects(verifySignatures(store, a.verifier), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'SIGN_VERIFY_FAILED');
      assert.match(e.message, new RegExp(`signs ${other.descriptor.digest}`));
      return true;
    });
  });

  it('--identity: the docker-reference signed is the one given', async () => {
    const reg = new FakeRegistry();
    const opts = fakeOptions(reg);
    await pushArtifact(testImage(), `${reg.host}/app:1`, opts);
    const a = pair();
    const store = await registryStore(`${reg.host}/app:1`, opts, 'registry.example/team/app');
    await signImage(store, a.signer);
    const v = await verifySignatures(store, a.verifier);
    const p = JSON.parse(v.verified[0]?.payload.toString() as string);
    assert.equal(p.critical.identity['docker-reference'], 'registry.example/team/app');
  });

  it('a .sig tag that names an index is SIGN_MANIFEST_INVALID', async () => {
    const reg = new FakeRegistry();
    const opts = fakeOptions(reg);
    const img = testImage();
    await pushArtifact(img, `${reg.host}/app:1`, opts);
    await pushArtifact(testIndex(), `${reg.host}/app:sha256-${img.descriptor.digest.slice(7)}.sig`, opts);
    const store = await registryStore(`${reg.host}/app:1`, opts);
    await assert.rejects(verifySignatures(store, pair().verifier), { code: 'SIGN_MANIFEST_INVALID' });
    await assert.rejects(signImage(store, pair().signer), { code: 'SIGN_MANIFEST_INVALID' });
  });

  it('with the referrers API: a referrer (subject, cosign artifact type) beside the tag; verify reads both', async () => {
    const reg = new FakeRegistry();
    reg.referrersApi = true;
    const opts = fakeOptions(reg);
    const idx = testIndex();
    await pushArtifact(idx, `${reg.host}/multi:1`, opts);
    const a = pair();
    const store = await registryStore(`${reg.host}/multi:1`, opts);
    const r = await signImage(store, a.signer);
    assert.ok(r.referrer, 'a referrer was pushed');
    const ref = await pullArtifact(r.referrer as string, opts);
    assert.equal(ref.kind, 'image');
    if (ref.kind !== 'image') return;
    assert.equal(ref.manifest.config.mediaType, artifactTypeOf('sig'));
    assert.deepEqual(ref.manifest.subject, {
      mediaType: idx.descriptor.mediaType,
      digest: idx.descriptor.digest,
      size: idx.descriptor.size,
    });
    const res = await reg.fetch(
      `${reg.origin}/v2/multi/referrers/${idx.descriptor.digest}?artifactType=${encodeURIComponent(artifactTypeOf('sig'))}`,
    );
    const listed = (await res.json()) as { manifests: { digest: string; artifactType: string }[] };
    assert.deepEqual(
      listed.manifests.map((m) => m.digest),
      [ref.descriptor.digest],
    );
    // The tag gone, the referrer alone still verifies.
    reg.repo('multi').tags.delete(`sha256-${idx.descriptor.digest.slice(7)}.sig`);
    const v = await verifySignatures(store, a.verifier);
    assert.equal(v.verified.length, 1);
  });

  it('attestations: DSSE in the .att tag with predicateType; verify filters by the signed type', async () => {
    const reg = new FakeRegistry();
    const opts = fakeOptions(reg);
    const img = testImage();
    await pushArtifact(img, `${reg.host}/app:1`, opts);
    const a = pair();
    const store = await registryStore(`${reg.host}/app:1`, opts);
    const spdx = PREDICATE_TYPES.spdxjson as string;
    const st = inTotoStatement(store.name, store.subject.digest, spdx, { spdxVersion: 'SPDX-2.3' });
    const r = await attestImage(store, a.signer, st, spdx);
    assert.equal(r.location, `${reg.host}/app:sha256-${img.descriptor.digest.slice(7)}.att`);
    const layers = await store.read('att');
    assert.equal(layers[0]?.mediaType, 'application/vnd.dsse.envelope.v1+json');
    assert.deepEqual(layers[0]?.annotations, { [SIGNATURE_ANNOTATION]: '', predicateType: spdx });
    const v = await verifyAttestations(store, a.verifier, spdx);
    assert.deepEqual(JSON.parse(v.verified[0]?.payload.toString() as string).predicate, {
      spdxVersion: 'SPDX-2.3',
    });
    await assert.rejects(verifyAttestations(store, a.verifier, PREDICATE_TYPES.slsaprovenance1 as string), {
      code: 'SIGN_NOT_FOUND',
    });
    await assert.rejects(verifyAttestations(store, pair().verifier, spdx), { code: 'SIGN_VERIFY_FAILED' });
  });
});

describe('signatures in an OCI layout (as cosign save lays them out)', () => {
  it('adds kind-annotated entries; oci:DIR without a tag still names the image; a second image conflicts', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'distill-sign-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const img = testImage();
    await writeLayout(dir, [{ artifact: img, tag: 'latest' }]);
    const a = pair();
    const store = await layoutStore(dir, undefined, 'registry.example/app');
    await signImage(store, a.signer);
    const st = inTotoStatement(store.name, store.subject.digest, 'https://example.com/p', {});
    await attestImage(store, a.signer, st, 'https://example.com/p');
    const index = await readLayoutIndex(dir);
    assert.deepEqual(
      index.manifests.map((m) => m.annotations?.kind),
      ['dev.cosignproject.cosign/image', 'dev.cosignproject.cosign/sigs', 'dev.cosignproject.cosign/atts'],
    );
    assert.equal((await readLayout(dir)).descriptor.digest, img.descriptor.digest);
    assert.equal((await verifySignatures(await layoutStore(dir, 'latest'), a.verifier)).verified.length, 1);
    // Another image in the same layout cannot get signatures while the first is still there.
    const other = testImage();
    await writeLayout(dir, [{ artifact: other, tag: 'v2' }]);
    const before = await readFile(join(dir, 'index.json'));
    await assert.rejects(signImage(await layoutStore(dir, 'v2'), a.signer), { code: 'SIGN_LAYOUT_CONFLICT' });
    assert.deepEqual(await readFile(join(dir, 'index.json')), before, 'nothing changed');
    // Rebuilt under the same tag: the old image is gone, so its signatures are replaced.
    await writeLayout(dir, [{ artifact: other, tag: 'latest' }]);
    await writeLayout(dir, [{ artifact: testImage(), tag: 'v2' }]);
    const s2 = await layoutStore(dir, 'latest');
    await assert.rejects(verifySignatures(s2, a.verifier), { code: 'SIGN_NOT_FOUND' });
    await signImage(s2, a.signer);
    const after = await readLayoutIndex(dir);
    assert.equal(
      after.manifests.filter((m) => m.annotations?.kind === 'dev.cosignproject.cosign/sigs').length,
      1,
    );
    assert.equal((await verifySignatures(s2, a.verifier)).verified.length, 1);
  });
});
