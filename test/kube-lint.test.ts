/**
 * `distill kube lint` through the built CLI. The hand-written insecure manifest
 * (test/fixtures/kube/insecure.yaml) gives exactly the findings its `# expect:` comments name, at
 * their lines — every control of the Pod Security Standards among them — and is itself valid
 * Kubernetes 1.36. Exit codes for CI (0 clean, 3 findings, 1 unreadable input, 2 bad flags),
 * JSON, SARIF 2.1.0 (schema-valid, with regions), JSON manifests, stdin.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { RULES } from '../src/kube/index.ts';
import { distill } from './helpers/cli.ts';
import { kubeSchemaErrors } from './helpers/kube-schema.ts';
import { sarifErrors } from './helpers/sarif-schema.ts';
import { REPO_ROOT } from './helpers/tools.ts';

const FIXTURE = 'test/fixtures/kube/insecure.yaml';
const DIGEST = `sha256:${'b'.repeat(64)}`;

interface Finding {
  file: string;
  line: number;
  col: number;
  rule: string;
  id: string;
  level: string;
  object: string;
  field: string;
  message: string;
}

/** `LINE LEVEL Rule` for every `# expect:` after a field of the fixture, sorted. */
function expected(text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /^\s*[^#\s].* # expect: (.*)$/.exec(line);
    if (m) for (const e of (m[1] as string).split(';')) out.push(`${i + 1} ${e.trim()}`);
  });
  return out.sort();
}

const GOOD_POD = `apiVersion: v1
kind: Pod
metadata:
  name: good
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: app
      image: registry.example/app@${DIGEST}
      resources:
        requests: { cpu: 50m, memory: 32Mi }
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: [ALL]
`;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'distill-kube-lint-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('distill kube lint', () => {
  test('the insecure manifest: every expected finding at its line, with the standard’s rule names, and nothing else', async () => {
    const text = await readFile(join(REPO_ROOT, FIXTURE), 'utf8');
    const r = distill(['kube', 'lint', '--json', FIXTURE]);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /distill: error KUBE_LINT_FAILED: /);
    const report = JSON.parse(r.stdout) as {
      findings: Finding[];
      pods: number;
      counts: Record<string, number>;
    };
    const got = report.findings.map((f) => `${f.line} ${f.level} ${f.rule}`).sort();
    assert.deepEqual(got, expected(text));
    assert.equal(report.pods, 4);
    // Every rule of the standard (and the seed's) is among them.
    const seen = new Set(report.findings.map((f) => f.id));
    assert.deepEqual(
      RULES.filter((rule) => !seen.has(rule.id)).map((rule) => rule.id),
      [],
    );
    // Columns point at the field: its key, or (a field that is missing) the key of the nearest
    // object that has to hold it, or a list item.
    for (const f of report.findings) {
      const line = text.split('\n')[f.line - 1] as string;
      const at = line.slice(f.col - 1);
      const segs = [...f.field.matchAll(/\["([^"]+)"\]|([^.[\]]+)/g)].map((m) => (m[1] ?? m[2]) as string);
      assert.ok(
        segs.some((seg) => at.startsWith(`${seg}:`)) ||
          /^\d+$/.test(segs.at(-1) as string) ||
          at.startsWith('name:'),
        `${f.line}:${f.col} ${f.field}: ${JSON.stringify(at)}`,
      );
    }
    const text2 = distill(['kube', 'lint', FIXTURE]);
    assert.equal(text2.status, 3);
    assert.match(
      text2.stdout,
      /^test\/fixtures\/kube\/insecure\.yaml:12:3: baseline Host Namespaces: the pod sets hostNetwork: true \(Pod\/insecure, spec\.hostNetwork\)$/m,
    );
    assert.match(
      text2.stdout,
      /54 finding\(s\) in 4 pod spec\(s\): 24 baseline, 23 restricted, 7 seed profile/,
    );
  });

  test('the insecure manifest is valid Kubernetes 1.36 — its fields are real ones — and the schema check can fail', async () => {
    const docs = parseAllDocuments(await readFile(join(REPO_ROOT, FIXTURE), 'utf8'));
    for (const d of Array.isArray(docs) ? docs : []) assert.deepEqual(kubeSchemaErrors(d.toJS()), []);
    const pod = parseAllDocuments(GOOD_POD);
    const value = (Array.isArray(pod) ? pod : [])[0]?.toJS();
    assert.deepEqual(kubeSchemaErrors(value), []);
    value.spec.containers[0].securityContext.readOnlyRootFileSystem = true;
    assert.match(kubeSchemaErrors(value).join('\n'), /additionalProperty.*readOnlyRootFileSystem/);
    delete value.spec.containers[0].securityContext.readOnlyRootFileSystem;
    value.spec.securityContext.runAsUser = 'nobody';
    assert.match(kubeSchemaErrors(value).join('\n'), /runAsUser must be integer/);
    value.spec.securityContext.runAsUser = 65532;
    delete value.spec.containers[0].name;
    assert.match(kubeSchemaErrors(value).join('\n'), /must have required property 'name'/);
  });

  test('clean input exits 0; JSON manifests (a List) are linted with their positions', async () => {
    const good = join(dir, 'good.yaml');
    await writeFile(good, GOOD_POD);
    const r = distill(['kube', 'lint', good]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /1 pod spec\(s\) in 1 file\(s\): no findings/);
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } },
        (Array.isArray(parseAllDocuments(GOOD_POD)) ? (parseAllDocuments(GOOD_POD) as never[]) : [])[0],
      ],
    };
    const item = JSON.parse(JSON.stringify(list.items[1]));
    item.spec.hostNetwork = true;
    list.items[1] = item;
    const json = join(dir, 'list.json');
    const text = JSON.stringify(list, null, 2);
    await writeFile(json, text);
    const j = distill(['kube', 'lint', '--json', json]);
    assert.equal(j.status, 3, j.stderr);
    const f = (JSON.parse(j.stdout) as { findings: Finding[] }).findings;
    assert.deepEqual(
      f.map((x) => [x.id, x.field]),
      [['pss-baseline-host-namespaces', 'items[1].spec.hostNetwork']],
    );
    const lines = text.split('\n');
    const want = lines.findIndex((l) => l.includes('"hostNetwork"'));
    assert.equal(f[0]?.line, want + 1);
    assert.equal(f[0]?.col, (lines[want] as string).indexOf('"hostNetwork"') + 1);
    // Standard input, and several files at once.
    const stdin = distill(
      ['kube', 'lint', '--json', '-', good],
      {},
      GOOD_POD.replace('RuntimeDefault', 'Unconfined'),
    );
    assert.equal(stdin.status, 3);
    const sf = (JSON.parse(stdin.stdout) as { findings: Finding[] }).findings;
    assert.deepEqual(
      sf.map((x) => `${x.file}:${x.line} ${x.id}`),
      ['<stdin>:9 pss-baseline-seccomp', '<stdin>:9 pss-restricted-seccomp'],
    );
  });

  test('SARIF 2.1.0: schema-valid, one result per finding at its file, line and column; --sarif FILE beside text', async () => {
    const r = distill(['kube', 'lint', '--format', 'sarif', FIXTURE]);
    assert.equal(r.status, 3, r.stderr);
    const sarif = JSON.parse(r.stdout);
    assert.deepEqual(sarifErrors(sarif), []);
    const results = sarif.runs[0].results as {
      ruleId: string;
      level: string;
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
    }[];
    assert.equal(results.length, 54);
    const first = results.find((x) => x.ruleId === 'pss-baseline-host-namespaces');
    assert.equal(first?.locations[0]?.physicalLocation.region.startLine, 12);
    assert.equal(first?.locations[0]?.physicalLocation.artifactLocation.uri, FIXTURE);
    assert.equal(first?.level, 'error');
    assert.equal(results.find((x) => x.ruleId === 'seed-image-digest')?.level, 'warning');
    const file = join(dir, 'lint.sarif');
    const t = distill(['kube', 'lint', '--sarif', file, FIXTURE]);
    assert.equal(t.status, 3);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), sarif);
  });

  test('unreadable or malformed input exits 1 with its code and writes nothing; bad flags exit 2', async () => {
    const sarif = join(dir, 'never.sarif');
    const missing = distill(['kube', 'lint', '--sarif', sarif, FIXTURE, join(dir, 'missing.yaml')]);
    assert.equal(missing.status, 1);
    assert.match(
      missing.stderr,
      /distill: error KUBE_MANIFEST_UNREADABLE: cannot read .*missing\.yaml: ENOENT/,
    );
    assert.equal(missing.stdout, '');
    await assert.rejects(stat(sarif));
    const dirAsFile = distill(['kube', 'lint', dir]);
    assert.equal(dirAsFile.status, 1);
    assert.match(dirAsFile.stderr, /KUBE_MANIFEST_UNREADABLE: .*EISDIR/);
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'apiVersion: v1\nkind: Pod\nspec:\n  containers: [\n    - name: x\n');
    const b = distill(['kube', 'lint', broken]);
    assert.equal(b.status, 1);
    assert.match(b.stderr, /distill: error KUBE_MANIFEST_INVALID: .*broken\.yaml:\d+:\d+: not YAML or JSON/);
    const dup = join(dir, 'dup.yaml');
    await writeFile(dup, 'apiVersion: v1\nkind: Pod\nkind: Pod\n');
    const d = distill(['kube', 'lint', dup]);
    assert.equal(d.status, 1);
    assert.match(d.stderr, /KUBE_MANIFEST_INVALID: .*dup\.yaml:3:1:/);
    const scalar = join(dir, 'scalar.yaml');
    await writeFile(scalar, `${GOOD_POD}---\njust a string\n`);
    const s = distill(['kube', 'lint', scalar]);
    assert.equal(s.status, 1);
    assert.match(s.stderr, /KUBE_MANIFEST_INVALID: .*document 2 is not an object/);
    const notKube = join(dir, 'values.yaml');
    await writeFile(notKube, 'replicas: 3\nimage: app\n');
    const n = distill(['kube', 'lint', notKube]);
    assert.equal(n.status, 0);
    assert.match(n.stderr, /values\.yaml:1:1: document 1 has no apiVersion and kind: skipped/);
    const flag = distill(['kube', 'lint', '--format', 'xml', FIXTURE]);
    assert.equal(flag.status, 2);
    assert.match(flag.stderr, /CLI_USAGE/);
  });
});
