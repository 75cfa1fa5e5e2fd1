/**
 * `distill kube IMAGE` through the built CLI, on small images `distill image from-dir` makes
 * here (no network): YAML on stdout, `-o FILE`, `--json`; the user from the image's /etc/passwd
 * and /etc/group; and each refusal with its code, leaving an existing output file as it was and
 * writing no new one.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { distill } from './helpers/cli.ts';
import { kubeSchemaErrors } from './helpers/kube-schema.ts';

type Json = Record<string, unknown>;
let dir: string;

/** An OCI layout of a rootfs with /etc/passwd and /etc/group, under `user` (none: unset). */
async function layout(name: string, user?: string): Promise<string> {
  const rootfs = join(dir, `${name}-rootfs`);
  await mkdir(join(rootfs, 'etc'), { recursive: true });
  await writeFile(
    join(rootfs, 'etc/passwd'),
    'root:x:0:0:root:/root:/sbin/nologin\nweb:x:1500:1600::/srv:/sbin/nologin\n',
  );
  await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\nweb:x:1600:\nwww:x:33:\n');
  await writeFile(join(rootfs, 'app'), 'x');
  const out = join(dir, name);
  const r = distill([
    'image',
    'from-dir',
    rootfs,
    '--output',
    out,
    '--entrypoint',
    '["/app"]',
    ...(user ? ['--user', user] : []),
  ]);
  assert.equal(r.status, 0, r.stderr);
  return out;
}

const podOf = (yaml: string): Json => {
  const docs = parseAllDocuments(yaml, { version: '1.1' });
  const dep = (Array.isArray(docs) ? docs : [])[0]?.toJS() as Json;
  return ((dep.spec as Json).template as Json).spec as Json;
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'distill-kube-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('distill kube IMAGE', () => {
  test('named user and group from the image; YAML on stdout, -o FILE, --json; all schema-valid and lint-clean', async () => {
    const img = await layout('web', 'web:www');
    const r = distill(['kube', `oci:${img}`, '--image-ref', 'registry.example/web', '--port', '8080']);
    assert.equal(r.status, 0, r.stderr);
    const pod = podOf(r.stdout);
    assert.deepEqual(pod.securityContext, {
      runAsUser: 1500,
      runAsGroup: 33,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const docs = parseAllDocuments(r.stdout);
    for (const d of Array.isArray(docs) ? docs : []) assert.deepEqual(kubeSchemaErrors(d.toJS()), []);
    const out = join(dir, 'web.yaml');
    const o = distill([
      'kube',
      `oci:${img}`,
      '--image-ref',
      'registry.example/web',
      '--port',
      '8080',
      '-o',
      out,
    ]);
    assert.equal(o.status, 0, o.stderr);
    assert.equal(o.stdout, '');
    assert.match(
      o.stderr,
      /wrote Deployment, Service for registry\.example\/web@sha256:[a-f0-9]{64} \(uid 1500, gid 33\)/,
    );
    assert.equal(await readFile(out, 'utf8'), r.stdout);
    assert.equal(distill(['kube', 'lint', out]).status, 0);
    const j = distill(['kube', `oci:${img}`, '--image-ref', 'registry.example/web', '--json']);
    assert.equal(j.status, 0, j.stderr);
    assert.deepEqual(kubeSchemaErrors(JSON.parse(j.stdout)), []);
  });

  test('refusals keep an existing output file and write no new one; each has its code', async () => {
    const root = await layout('root');
    const ghost = await layout('ghost', 'ghost');
    const ok = await layout('ok', '1500');
    const out = join(dir, 'keep.yaml');
    await writeFile(out, 'keep me\n');
    const cases: [string[], string, number][] = [
      [[`oci:${root}`, '--image-ref', 'registry.example/a'], 'KUBE_ROOT_USER', 1],
      [[`oci:${ghost}`, '--image-ref', 'registry.example/a'], 'KUBE_USER_UNKNOWN', 1],
      [[`oci:${ok}`], 'KUBE_IMAGE_REF_REQUIRED', 1],
      [[`oci:${ok}`, '--image-ref', 'Not A Name'], 'KUBE_IMAGE_REF_INVALID', 1],
      [[`oci:${ok}`, '--image-ref', 'registry.example/a', '--name', 'Bad_Name'], 'KUBE_NAME_INVALID', 1],
      [[`oci:${ok}`, '--image-ref', 'registry.example/a', '--env', 'X'], 'KUBE_OPTION_INVALID', 1],
      [[`oci:${join(dir, 'nothing-here')}`, '--image-ref', 'registry.example/a'], 'OCI_', 1],
      [[`oci:${ok}`, '--image-ref', 'registry.example/a', '--bogus'], '', 2],
    ];
    const before = (await readdir(dir)).sort();
    for (const [args, code, status] of cases) {
      const r = distill(['kube', ...args, '-o', out]);
      assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
      if (code) assert.match(r.stderr, new RegExp(`distill: error ${code}`), args.join(' '));
      assert.equal(await readFile(out, 'utf8'), 'keep me\n', args.join(' '));
    }
    const fresh = join(dir, 'fresh.yaml');
    const r = distill(['kube', `oci:${root}`, '--image-ref', 'registry.example/a', '-o', fresh]);
    assert.equal(r.status, 1);
    await assert.rejects(stat(fresh));
    assert.deepEqual((await readdir(dir)).sort(), before, 'no file left behind');
    const unwritable = distill([
      'kube',
      `oci:${ok}`,
      '--image-ref',
      'registry.example/a',
      '-o',
      join(dir, 'no', 'such', 'dir.yaml'),
    ]);
    assert.equal(unwritable.status, 1);
    assert.match(unwritable.stderr, /distill: error KUBE_WRITE_FAILED: cannot write .*dir\.yaml/);
    assert.deepEqual((await readdir(dir)).sort(), before);
  });
});
