import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { debugImageFor, planKubectlDebug, shellCommand } from './kubectl.ts';
import { parsePod } from './pod.ts';

const NONROOT_POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: { type: RuntimeDefault }
  containers:
    - name: sidecar
      image: registry.example/proxy:2
    - name: app
      image: registry.example/distill/python3:nonroot@sha256:${'a'.repeat(64)}
      securityContext:
        runAsUser: 1000
        runAsGroup: 1000
        allowPrivilegeEscalation: false
`;

const ROOT_POD = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'job' },
  spec: { containers: [{ name: 'main', image: 'localhost:5000/distill/static' }] },
});

describe('debugImageFor', () => {
  it('swaps the tag for debug or debug-nonroot, drops a digest, keeps a registry port', () => {
    assert.equal(debugImageFor('distill/python3:latest', false), 'distill/python3:debug');
    assert.equal(debugImageFor('distill/python3:nonroot', true), 'distill/python3:debug-nonroot');
    assert.equal(
      debugImageFor('localhost:5000/distill/static', false),
      'localhost:5000/distill/static:debug',
    );
    assert.equal(
      debugImageFor(`registry.example/distill/cc@sha256:${'b'.repeat(64)}`, true),
      'registry.example/distill/cc:debug-nonroot',
    );
  });
});

describe('planKubectlDebug', () => {
  it('a non-root pod: :debug-nonroot, --target, --profile=restricted, --custom for the container-level uid', async () => {
    const plan = planKubectlDebug(await parsePod(NONROOT_POD, 'web.yaml'));
    assert.equal(plan.container, 'app');
    assert.equal(plan.profile, 'restricted');
    assert.equal(plan.image, 'registry.example/distill/python3:debug-nonroot');
    assert.deepEqual(plan.nonrootBecause, ['runAsNonRoot: true', 'runAsUser: 1000', 'image tag nonroot']);
    assert.deepEqual(plan.custom, { securityContext: { runAsUser: 1000, runAsGroup: 1000 } });
    assert.deepEqual(plan.ephemeral, [
      'debug',
      '-it',
      '-n',
      'shop',
      'pod/web',
      '--image=registry.example/distill/python3:debug-nonroot',
      '--target=app',
      '--profile=restricted',
      '--custom={custom}',
    ]);
    assert.deepEqual(plan.copy.slice(6), [
      '--copy-to=web-debug',
      '--share-processes',
      '--profile=restricted',
      '--custom={custom}',
    ]);
    assert.equal(
      shellCommand(plan.ephemeral, plan.custom),
      `kubectl debug -it -n shop pod/web --image=registry.example/distill/python3:debug-nonroot --target=app --profile=restricted --custom=<(echo '{"securityContext":{"runAsUser":1000,"runAsGroup":1000}}')`,
    );
  });
  it('no --custom when the debug-nonroot image already runs as the container-level uid', async () => {
    const pod = await parsePod(NONROOT_POD.replace(/runAs(User|Group): 1000/g, 'runAs$1: 65532'), 'web.yaml');
    const plan = planKubectlDebug(pod);
    assert.equal(plan.custom, undefined);
    assert.equal(plan.ephemeral.at(-1), '--profile=restricted');
    // An --image of unknown user: the uid is passed.
    assert.ok(planKubectlDebug(pod, { image: 'x.example/tools:1' }).custom);
  });
  it('a root pod (JSON): :debug and --profile=general; -c, -n and --image override', async () => {
    const pod = await parsePod(ROOT_POD, 'job.json');
    const plan = planKubectlDebug(pod);
    assert.equal(plan.profile, 'general');
    assert.equal(plan.image, 'localhost:5000/distill/static:debug');
    assert.equal(plan.custom, undefined);
    assert.deepEqual(plan.ephemeral, [
      'debug',
      '-it',
      'pod/job',
      '--image=localhost:5000/distill/static:debug',
      '--target=main',
      '--profile=general',
    ]);
    const o = planKubectlDebug(pod, { container: 'main', namespace: 'ci', image: 'x.example/tools:1' });
    assert.deepEqual(o.ephemeral.slice(2, 6), ['-n', 'ci', 'pod/job', '--image=x.example/tools:1']);
    assert.equal(planKubectlDebug(pod, { namespaceRestricted: true }).profile, 'restricted');
    assert.equal(
      planKubectlDebug(pod, { profile: 'restricted' }).image,
      'localhost:5000/distill/static:debug',
    );
  });
  it('DEBUG_POD_INVALID: not a pod, no containers, an unknown container', async () => {
    await assert.rejects(parsePod('kind: Deployment\nmetadata: {name: x}\n', 'd.yaml'), {
      code: 'DEBUG_POD_INVALID',
      message: /not a Pod \(kind "Deployment"\)/,
    });
    await assert.rejects(parsePod('kind: Pod\nmetadata: {name: x}\nspec: {containers: []}\n', 'p.yaml'), {
      code: 'DEBUG_POD_INVALID',
    });
    await assert.rejects(parsePod('{"kind": "Pod", ', 'p.json'), {
      code: 'DEBUG_POD_INVALID',
      message: /not YAML or JSON/,
    });
    const pod = await parsePod(NONROOT_POD, 'web.yaml');
    assert.throws(() => planKubectlDebug(pod, { container: 'db' }), {
      code: 'DEBUG_POD_INVALID',
      message: /no container "db" \(it has sidecar, app\)/,
    });
  });
});
