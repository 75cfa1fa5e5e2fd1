/**
 * `distill kube IMAGE` as a library: the user from the image's config, /etc/passwd and
 * /etc/group; the seed's securityContext exactly; ports, volumes, env, resources; the image by
 * digest; and what it refuses, each with its code. Every generated manifest is valid Kubernetes
 * 1.36 (the vendored API schema, strict) and lints clean.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { gzipLayer } from '../../test/helpers/images.ts';
import { kubeSchemaErrors } from '../../test/helpers/kube-schema.ts';
import { type ContainerConfig, createImage, createIndex, type Image } from '../oci/index.ts';
import {
  checkKubeOptions,
  type KubeOptions,
  kubeManifests,
  labelOf,
  lintDocuments,
  nameHint,
  parseManifests,
  toJsonList,
  toYaml,
} from './index.ts';

const PASSWD =
  'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' +
  'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\napp:x:1000:1001::/home/app:/sbin/nologin\n';
const GROUP = 'root:x:0:\nstaff:x:50:\nnonroot:x:65532:\napp:x:1001:\n';

async function image(config: ContainerConfig, arch = 'amd64'): Promise<Image> {
  const layer = await gzipLayer({ 'etc/passwd': PASSWD, 'etc/group': GROUP, 'app/run': 'x' });
  return createImage({
    config: { architecture: arch, os: 'linux', created: '1970-01-01T00:00:00Z', config },
    layers: [layer],
  });
}

const REG = 'docker://registry.example/team/app:1';
// biome-ignore lint/suspicious/noExplicitAny: tests build and mutate manifests as plain JSON
type Json = Record<string, any>;

async function gen(config: ContainerConfig, o: KubeOptions = {}, ref = REG) {
  return kubeManifests(await image(config), ref, checkKubeOptions(o));
}

async function rejects(p: Promise<unknown> | (() => unknown), code: string) {
  await assert.rejects(
    async () => (typeof p === 'function' ? p() : p),
    (e: { code?: string }) => {
      assert.equal(e.code, code);
      return true;
    },
  );
}

/** Lint findings of text (YAML or JSON) as `id field`. */
const lintOf = (text: string) =>
  lintDocuments(parseManifests('gen', text)).findings.map((f) => `${f.id} ${f.field}`);

describe('kube manifests', () => {
  test('a nonroot image: the seed securityContext exactly, /tmp, requests, ports, by digest; schema-valid and lint-clean', async () => {
    const img = await image({ User: '65532', ExposedPorts: { '8080/tcp': {} } });
    const r = await kubeManifests(img, REG, checkKubeOptions({ networkPolicy: true }));
    assert.deepEqual(
      r.objects.map((o) => o.kind),
      ['Deployment', 'Service', 'NetworkPolicy'],
    );
    assert.equal(r.image, `registry.example/team/app@${img.descriptor.digest}`);
    assert.equal(r.name, 'app');
    const dep = r.objects[0] as Json;
    const pod = dep.spec.template.spec;
    const c = pod.containers[0];
    assert.deepEqual(c.securityContext, {
      runAsUser: 65532,
      runAsGroup: 65532,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    assert.deepEqual(pod.securityContext, {
      runAsUser: 65532,
      runAsGroup: 65532,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(c.image, r.image);
    assert.deepEqual(c.resources, { requests: { cpu: '100m', memory: '128Mi' } });
    assert.deepEqual(c.ports, [{ name: 'tcp-8080', containerPort: 8080, protocol: 'TCP' }]);
    assert.deepEqual(c.volumeMounts, [{ name: 'tmp', mountPath: '/tmp' }]);
    assert.deepEqual(pod.volumes, [{ name: 'tmp', emptyDir: {} }]);
    const svc = r.objects[1] as Json;
    assert.deepEqual(svc.spec, {
      selector: { 'app.kubernetes.io/name': 'app' },
      ports: [{ name: 'tcp-8080', port: 8080, targetPort: 'tcp-8080', protocol: 'TCP' }],
    });
    assert.deepEqual((r.objects[2] as Json).spec.ingress, [{ ports: [{ port: 8080, protocol: 'TCP' }] }]);
    for (const o of r.objects) assert.deepEqual(kubeSchemaErrors(o), [], o.kind);
    const yaml = toYaml(r.objects);
    assert.doesNotMatch(yaml, /[&*]a\d/, 'no YAML anchors or aliases');
    assert.deepEqual(lintOf(yaml), []);
    const json = toJsonList(r.objects);
    assert.deepEqual(kubeSchemaErrors(JSON.parse(json)), []);
    assert.deepEqual(lintOf(json), []);
    assert.deepEqual(
      parseManifests('gen', yaml).map((d) => d.value),
      JSON.parse(json).items,
      'YAML and JSON say the same',
    );
  });

  test('users: a passwd name, a name with a group name, uid with passwd gid, builtin nonroot, a uid with no entry', async () => {
    const ids = async (User: string) => {
      const r = await gen({ User });
      return [r.user.uid, r.user.gid, r.user.gidFrom];
    };
    assert.deepEqual(await ids('app'), [1000, 1001, 'passwd']);
    assert.deepEqual(await ids('app:staff'), [1000, 50, 'group']);
    assert.deepEqual(await ids('app:7'), [1000, 7, 'spec']);
    assert.deepEqual(await ids('1000'), [1000, 1001, 'passwd']);
    assert.deepEqual(await ids('nonroot'), [65532, 65532, 'passwd']);
    assert.deepEqual(await ids('4242'), [4242, 4242, 'uid']);
    assert.deepEqual(await ids('4242:4243'), [4242, 4243, 'spec']);
    const r = await gen({ User: 'app:staff' });
    const sc = (r.objects[0] as Json).spec.template.spec.containers[0].securityContext;
    assert.equal(sc.runAsUser, 1000);
    assert.equal(sc.runAsGroup, 50);
    await rejects(gen({ User: 'ghost' }), 'KUBE_USER_UNKNOWN');
    await rejects(gen({ User: 'app:ghosts' }), 'KUBE_USER_UNKNOWN');
  });

  test('root images are refused unless --user or --allow-root; --allow-root writes runAsNonRoot false, which lint flags', async () => {
    for (const User of [undefined, '', '0', '0:0', 'root'])
      await rejects(gen(User === undefined ? {} : { User }), 'KUBE_ROOT_USER');
    await rejects(gen({ User: '65532' }, { user: '0' }), 'KUBE_ROOT_USER');
    const asUser = await gen({ User: 'root' }, { user: '65532' });
    assert.deepEqual([asUser.user.uid, asUser.user.gid], [65532, 65532]);
    const r = await gen({ User: 'root' }, { allowRoot: true });
    const sc = (r.objects[0] as Json).spec.template.spec.containers[0].securityContext;
    assert.deepEqual([sc.runAsUser, sc.runAsNonRoot], [0, false]);
    assert.match(r.warnings.join('\n'), /runs as root/);
    assert.deepEqual(lintOf(toYaml(r.objects)), [
      'pss-restricted-running-as-non-root-user spec.template.spec.securityContext.runAsUser',
      'pss-restricted-running-as-non-root spec.template.spec.securityContext.runAsNonRoot',
      'pss-restricted-running-as-non-root-user spec.template.spec.containers[0].securityContext.runAsUser',
      'pss-restricted-running-as-non-root spec.template.spec.containers[0].securityContext.runAsNonRoot',
    ]);
  });

  test('ports, volumes, env, resources, replicas, name and namespace from the image and the flags', async () => {
    const r = await gen(
      {
        User: '65532',
        ExposedPorts: { '8080/tcp': {}, '53/udp': {}, bogus: {} },
        Volumes: { '/data': {}, '/var/cache/My App': {}, 'relative/dir': {} },
      },
      {
        name: 'web',
        namespace: 'prod',
        ports: ['9090', '8080/tcp'],
        env: ['MODE=yes', 'EMPTY=', 'URL=http://x.example/?a=b'],
        writable: ['/home/nonroot', '/data'],
        cpu: '250m',
        memory: '256Mi',
        cpuLimit: '1',
        memoryLimit: '512Mi',
        replicas: '3',
        networkPolicy: true,
      },
    );
    const dep = r.objects[0] as Json;
    const c = dep.spec.template.spec.containers[0];
    assert.equal(dep.metadata.name, 'web');
    assert.equal(dep.metadata.namespace, 'prod');
    assert.equal(dep.spec.replicas, 3);
    assert.deepEqual(
      c.ports.map((p: Json) => `${p.name} ${p.containerPort}/${p.protocol}`),
      ['udp-53 53/UDP', 'tcp-8080 8080/TCP', 'tcp-9090 9090/TCP'],
    );
    assert.deepEqual(c.env, [
      { name: 'MODE', value: 'yes' },
      { name: 'EMPTY', value: '' },
      { name: 'URL', value: 'http://x.example/?a=b' },
    ]);
    assert.deepEqual(c.resources, {
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    });
    assert.deepEqual(
      c.volumeMounts.map((m: Json) => `${m.name} ${m.mountPath}`),
      ['tmp /tmp', 'data /data', 'var-cache-my-app /var/cache/My App', 'home-nonroot /home/nonroot'],
    );
    assert.match(r.warnings.join('\n'), /"relative\/dir"/);
    assert.deepEqual(
      (r.objects[2] as Json).spec.ingress[0].ports.map((p: Json) => p.port),
      [53, 8080, 9090],
    );
    for (const o of r.objects) assert.deepEqual(kubeSchemaErrors(o), [], o.kind);
    assert.deepEqual(lintOf(toYaml(r.objects)), []);
    // kubectl reads YAML 1.1: a value like yes must stay a string there.
    const text = toYaml(r.objects);
    assert.match(text, /value: "yes"/);
    const reread = parse(text.split('---\n')[0] as string, { version: '1.1' }) as Json;
    assert.equal(reread.spec.template.spec.containers[0].env[0].value, 'yes');
  });

  test('no port: no Service (and a warning); the NetworkPolicy then admits no ingress', async () => {
    const r = await gen({ User: '65532' }, { networkPolicy: true });
    assert.deepEqual(
      r.objects.map((o) => o.kind),
      ['Deployment', 'NetworkPolicy'],
    );
    assert.match(r.warnings.join('\n'), /no Service/);
    assert.deepEqual((r.objects[1] as Json).spec.ingress, []);
    for (const o of r.objects) assert.deepEqual(kubeSchemaErrors(o), [], o.kind);
  });

  test('an index is referenced by its own digest; the user comes from the image of --platform', async () => {
    const amd = await image({ User: '65532' });
    const arm = await image({ User: '1000' }, 'arm64');
    const idx = createIndex([amd, arm]);
    const r = await kubeManifests(idx, REG, checkKubeOptions({ platform: 'linux/arm64' }));
    assert.equal(r.digest, idx.descriptor.digest);
    assert.equal(r.image, `registry.example/team/app@${idx.descriptor.digest}`);
    assert.equal(r.user.uid, 1000);
  });

  test('--image-ref names where the cluster pulls from; local images need it', async () => {
    const img = await image({ User: '65532' });
    const viaRef = await kubeManifests(
      img,
      'oci:/nowhere/app',
      checkKubeOptions({ imageRef: 'registry.example:5000/apps/api:2' }),
    );
    assert.equal(viaRef.image, `registry.example:5000/apps/api:2@${img.descriptor.digest}`);
    assert.equal(viaRef.name, 'api');
    const same = await kubeManifests(
      img,
      'oci:/nowhere/app',
      checkKubeOptions({ imageRef: `registry.example/api@${img.descriptor.digest}` }),
    );
    assert.equal(same.image, `registry.example/api@${img.descriptor.digest}`);
    const archive = await kubeManifests(
      img,
      'docker-archive:/nowhere/app.tar',
      checkKubeOptions({ imageRef: 'registry.example/api' }),
    );
    assert.match(archive.warnings.join('\n'), /a registry's copy may have another/);
    await rejects(kubeManifests(img, 'oci:/nowhere/app', checkKubeOptions({})), 'KUBE_IMAGE_REF_REQUIRED');
    await rejects(kubeManifests(img, 'docker-daemon:app:1', checkKubeOptions({})), 'KUBE_IMAGE_REF_REQUIRED');
    await rejects(
      kubeManifests(
        img,
        REG,
        checkKubeOptions({ imageRef: `registry.example/api@sha256:${'0'.repeat(64)}` }),
      ),
      'KUBE_IMAGE_REF_INVALID',
    );
  });

  test('bad options fail before any image is read, each with its code', async () => {
    const bad: [KubeOptions, string][] = [
      [{ env: ['NOVALUE'] }, 'KUBE_OPTION_INVALID'],
      [{ env: ['1X=y'] }, 'KUBE_OPTION_INVALID'],
      [{ ports: ['0'] }, 'KUBE_OPTION_INVALID'],
      [{ ports: ['70000'] }, 'KUBE_OPTION_INVALID'],
      [{ ports: ['80/icmp'] }, 'KUBE_OPTION_INVALID'],
      [{ cpu: '-1' }, 'KUBE_OPTION_INVALID'],
      [{ cpu: '0' }, 'KUBE_OPTION_INVALID'],
      [{ memory: '1 GB' }, 'KUBE_OPTION_INVALID'],
      [{ memoryLimit: 'lots' }, 'KUBE_OPTION_INVALID'],
      [{ replicas: '-1' }, 'KUBE_OPTION_INVALID'],
      [{ replicas: '1.5' }, 'KUBE_OPTION_INVALID'],
      [{ user: 'nonroot' }, 'KUBE_OPTION_INVALID'],
      [{ user: '1:2:3' }, 'KUBE_OPTION_INVALID'],
      [{ writable: ['tmp'] }, 'KUBE_OPTION_INVALID'],
      [{ writable: ['/a/../b'] }, 'KUBE_OPTION_INVALID'],
      [{ writable: ['/'] }, 'KUBE_OPTION_INVALID'],
      [{ writable: ['/a:b'] }, 'KUBE_OPTION_INVALID'],
      [{ namespace: 'Prod' }, 'KUBE_OPTION_INVALID'],
      [{ name: 'Web_App' }, 'KUBE_NAME_INVALID'],
      [{ name: '1web' }, 'KUBE_NAME_INVALID'],
      [{ name: 'a'.repeat(64) }, 'KUBE_NAME_INVALID'],
      [{ imageRef: 'UPPER/Case' }, 'KUBE_IMAGE_REF_INVALID'],
      [{ imageRef: 'registry.example/app:bad:tag' }, 'KUBE_IMAGE_REF_INVALID'],
    ];
    for (const [o, code] of bad) await rejects(() => checkKubeOptions(o), code);
    assert.deepEqual(checkKubeOptions({ cpu: '0.5', memory: '1e9', cpuLimit: '1500m' }).requests, {
      cpu: '0.5',
      memory: '1e9',
    });
  });

  test('names made of image names are DNS-1035 labels', () => {
    assert.equal(nameHint('registry.example/team/My_App:1.0'), 'My_App');
    assert.equal(nameHint('registry.example:5000/app@sha256:abc'), 'app');
    assert.equal(labelOf('My_App.v2'), 'my-app-v2');
    assert.equal(labelOf('2048-game'), 'game');
    assert.equal(labelOf('___'), undefined);
    assert.equal(labelOf('x'.repeat(80))?.length, 63);
  });
});
