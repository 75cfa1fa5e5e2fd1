/**
 * Issue 12 acceptance for `distill kube`: a catalogue image built by `distill base`, turned into
 * manifests by the built CLI, lints clean, is valid Kubernetes 1.36 (the vendored API schema) and
 * is accepted by the real kubectl 1.32 offline (client dry-run create, and a round trip through
 * kubectl's Go types that loses nothing); pushed to the real CNCF registry, the manifest names the
 * digest the registry serves (skopeo agrees); a root image is refused and nothing is written.
 * Needs the Debian archive, kubectl, skopeo and docker-registry.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { distill, needTools } from '../helpers/cli.ts';
import { buildBase } from '../helpers/docker.ts';
import { kubeSchemaErrors } from '../helpers/kube-schema.ts';
import { offlineKubectl, pruneEmpty } from '../helpers/kubectl.ts';
import { run } from '../helpers/tools.ts';
import { startRegistry } from '../registry/registry-server.ts';

type Json = Record<string, unknown>;
const TOOLS = ['kubectl', 'skopeo', 'docker-registry'];

let dir: string;
let layouts: Promise<{ nonroot: string; root: string }> | undefined;

/** Builds static:nonroot and static:latest (once, for every test). */
function images() {
  layouts ??= (async () => {
    const nonroot = join(dir, 'static-nonroot');
    const root = join(dir, 'static-latest');
    await buildBase('static:nonroot', ['--output', nonroot]);
    await buildBase('static:latest', ['--output', root]);
    return { nonroot, root };
  })();
  return layouts;
}

/** The documents of a YAML stream, read as kubectl reads them (YAML 1.1). */
const docsOf = (text: string): Json[] => {
  const docs = parseAllDocuments(text, { version: '1.1' });
  return (Array.isArray(docs) ? docs : []).map((d) => d.toJS() as Json);
};

/** The manifest digest of an image, as skopeo reads it. */
function skopeoDigest(ref: string): string {
  const r = run('skopeo', ['inspect', '--tls-verify=false', '--raw', ref]);
  assert.equal(r.status, 0, r.stderr);
  const i = run('skopeo', ['inspect', '--tls-verify=false', ref]);
  assert.equal(i.status, 0, i.stderr);
  return (JSON.parse(i.stdout) as { Digest: string }).Digest;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'distill-e2e-kube-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('distill kube, end to end', () => {
  test('static:nonroot → Deployment, Service, NetworkPolicy: lint-clean, schema-valid, accepted by kubectl 1.32', async (t) => {
    if (!needTools(t, TOOLS)) return;
    const { nonroot } = await images();
    const out = join(dir, 'static.yaml');
    const r = distill([
      'kube',
      `oci:${nonroot}`,
      '--image-ref',
      'registry.example/distill/static',
      '--port',
      '8080',
      '--env',
      'MODE=yes',
      '--env',
      'LEVEL=0123',
      '--network-policy',
      '-o',
      out,
    ]);
    assert.equal(r.status, 0, r.stderr);
    const text = await readFile(out, 'utf8');
    const docs = docsOf(text);
    assert.deepEqual(
      docs.map((d) => d.kind),
      ['Deployment', 'Service', 'NetworkPolicy'],
    );
    const digest = skopeoDigest(`oci:${nonroot}`);
    const pod = (((docs[0] as Json).spec as Json).template as Json).spec as Json;
    const c = (pod.containers as Json[])[0] as Json;
    assert.equal(c.image, `registry.example/distill/static@${digest}`);
    assert.deepEqual(c.securityContext, {
      runAsUser: 65532,
      runAsGroup: 65532,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    for (const d of docs) assert.deepEqual(kubeSchemaErrors(d), [], String(d.kind));

    const lint = distill(['kube', 'lint', out]);
    assert.equal(lint.status, 0, lint.stdout + lint.stderr);
    assert.match(lint.stdout, /1 pod spec\(s\) in 1 file\(s\): no findings/);

    const json = distill([
      'kube',
      `oci:${nonroot}`,
      '--image-ref',
      'registry.example/distill/static',
      '--port',
      '8080',
      '--json',
    ]);
    assert.equal(json.status, 0, json.stderr);
    const list = JSON.parse(json.stdout) as Json;
    assert.deepEqual(kubeSchemaErrors(list), []);
    const jsonFile = join(dir, 'static.json');
    await writeFile(jsonFile, json.stdout);
    assert.equal(distill(['kube', 'lint', jsonFile]).status, 0);

    // kubectl, offline: client dry-run create of the whole file.
    const kubectl = await offlineKubectl(join(dir, 'kubectl'));
    const created = kubectl(['create', '--dry-run=client', '--validate=false', '-o', 'yaml', '-f', out]);
    assert.equal(created.status, 0, created.stderr);
    const back = docsOf(created.stdout);
    for (const item of back) delete (item.metadata as Json).namespace;
    assert.deepEqual(back, docs, 'kubectl read every field as written (YAML 1.1 strings stay strings)');
    const fromJson = kubectl([
      'create',
      '--dry-run=client',
      '--validate=false',
      '-o',
      'yaml',
      '-f',
      jsonFile,
    ]);
    assert.equal(fromJson.status, 0, fromJson.stderr);
    assert.deepEqual(docsOf(fromJson.stdout).length, 2, 'Deployment and Service from the List');

    // Through kubectl's Go types: a typed decode, then encode; nothing may be lost or changed.
    const depFile = join(dir, 'deployment.json');
    const svcFile = join(dir, 'service.json');
    await writeFile(depFile, JSON.stringify(docs[0]));
    await writeFile(svcFile, JSON.stringify(docs[1]));
    const typed = kubectl([
      'set',
      'env',
      '--local',
      '-f',
      depFile,
      '-c',
      'static',
      'DISTILL_ROUNDTRIP=1',
      '-o',
      'json',
    ]);
    assert.equal(typed.status, 0, typed.stderr);
    const dep = JSON.parse(typed.stdout) as Json;
    const env = (((((dep.spec as Json).template as Json).spec as Json).containers as Json[])[0] as Json)
      .env as Json[];
    assert.deepEqual(env.pop(), { name: 'DISTILL_ROUNDTRIP', value: '1' });
    assert.deepEqual(pruneEmpty(dep), pruneEmpty(docs[0]));
    const svc = kubectl([
      'set',
      'selector',
      '--local',
      '-f',
      svcFile,
      'app.kubernetes.io/name=static',
      '-o',
      'json',
    ]);
    assert.equal(svc.status, 0, svc.stderr);
    assert.deepEqual(pruneEmpty(JSON.parse(svc.stdout)), pruneEmpty(docs[1]));
    // The round trip does catch what the types refuse.
    const broken = structuredClone(docs[0]) as Json;
    ((((broken.spec as Json).template as Json).spec as Json).securityContext as Json).runAsUser = 'nonroot';
    await writeFile(depFile, JSON.stringify(broken));
    const refused = kubectl(['set', 'env', '--local', '-f', depFile, 'X=1', '-o', 'json']);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /runAsUser/);
  });

  test('from a real registry: the Deployment names the digest the registry serves', async (t) => {
    if (!needTools(t, TOOLS)) return;
    const { nonroot } = await images();
    const reg = await startRegistry(t);
    const ref = `${reg.host}/distill/static:nonroot`;
    const push = distill(['push', `oci:${nonroot}`, ref]);
    assert.equal(push.status, 0, push.stderr);
    const served = skopeoDigest(`docker://${ref}`);
    assert.equal(served, skopeoDigest(`oci:${nonroot}`), 'the push kept the digest');
    const r = distill(['kube', `docker://${ref}`, '--port', '8080']);
    assert.equal(r.status, 0, r.stderr);
    const docs = docsOf(r.stdout);
    const pod = (((docs[0] as Json).spec as Json).template as Json).spec as Json;
    assert.equal(((pod.containers as Json[])[0] as Json).image, `${reg.host}/distill/static@${served}`);
    assert.equal(((docs[0] as Json).metadata as Json).name, 'static');
  });

  test('a root image is refused with KUBE_ROOT_USER and nothing is written; --user 65532 makes it run as nonroot', async (t) => {
    if (!needTools(t, TOOLS)) return;
    const { root } = await images();
    const out = join(dir, 'root.yaml');
    const r = distill(['kube', `oci:${root}`, '--image-ref', 'registry.example/static', '-o', out]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /distill: error KUBE_ROOT_USER: .* runs as root \(user "0"\)/);
    assert.equal(r.stdout, '');
    await assert.rejects(stat(out));
    const ok = distill([
      'kube',
      `oci:${root}`,
      '--image-ref',
      'registry.example/static',
      '--user',
      '65532',
      '-o',
      out,
    ]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(distill(['kube', 'lint', out]).status, 0);
    const noRef = distill(['kube', `oci:${root}`, '--user', '65532']);
    assert.equal(noRef.status, 1);
    assert.match(noRef.stderr, /KUBE_IMAGE_REF_REQUIRED/);
    const badFlag = distill(['kube', `oci:${join(dir, 'missing')}`, '--cpu', 'lots']);
    assert.equal(badFlag.status, 1);
    assert.match(
      badFlag.stderr,
      /KUBE_OPTION_INVALID: --cpu "lots"/,
      'flags are checked before the image is opened',
    );
  });
});
