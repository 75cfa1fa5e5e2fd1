/**
 * `distill debug --kubectl` against the real kubectl (1.32): every flag the emitted commands use is
 * one `kubectl debug --help` lists (with the general and restricted profiles), and the printed
 * commands — run by bash as printed, --custom process substitution included — get past kubectl's
 * flag parsing, profile and --custom checks to the point of calling the API server, which here is a
 * closed port: the only error is the refused connection. Controls show the same harness reports an
 * unknown flag, an unknown profile and a missing --custom file. `--run` runs kubectl itself.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { distill, needTools } from '../helpers/cli.ts';
import { freePort, run, tempDir } from '../helpers/tools.ts';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  securityContext:
    runAsNonRoot: true
  containers:
    - name: app
      image: registry.example/distill/python3:nonroot
      securityContext:
        runAsUser: 1000
        runAsGroup: 1000
`;

const ROOT_POD = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'job', namespace: 'ci' },
  spec: { containers: [{ name: 'main', image: 'registry.example/distill/static:latest' }] },
});

/** A kubeconfig whose API server is a closed port on 127.0.0.1. */
async function unreachableCluster(t: TestContext): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = await tempDir(t, 'distill-debug-kubectl-');
  const port = await freePort();
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: "https://127.0.0.1:${port}"}}]
users: [{name: u, user: {token: x}}]
contexts: [{name: c, context: {cluster: none, user: u}}]
current-context: c
`,
  );
  return { dir, env: { KUBECONFIG: kubeconfig } };
}

/** Runs a printed command line with bash (stdin closed, as in CI). */
const bash = (line: string, env: Record<string, string>) =>
  run('bash', ['-c', `${line} </dev/null`], { env: { ...process.env, ...env }, timeout: 60_000 });

const REFUSED = /connection to the server 127\.0\.0\.1:\d+ was refused|connect: connection refused/;
const FLAG_ERROR =
  /unknown flag|unknown shorthand|unknown profile|invalid argument|must pass a container spec|error: /i;

function assertReachedServer(r: { status: number | null; stderr: string }, what: string): void {
  assert.notEqual(r.status, 0, what);
  assert.match(r.stderr, REFUSED, `${what}: ${r.stderr}`);
  // The only "error" lines are the refused connection.
  for (const line of r.stderr.split('\n').filter((l) => FLAG_ERROR.test(l)))
    assert.match(line, REFUSED, `${what}: ${line}`);
}

describe('distill debug --kubectl against kubectl 1.32', { timeout: 300_000 }, () => {
  test('every emitted flag is in kubectl debug --help', (t) => {
    if (!needTools(t, ['kubectl'])) return;
    const help = run('kubectl', ['debug', '--help']).stdout;
    for (const flag of [
      '--image',
      '--target',
      '--profile',
      '--custom',
      '--copy-to',
      '--share-processes',
      '-i, --stdin',
      '-t, --tty',
    ])
      assert.match(help, new RegExp(`^\\s+${flag.replace(/[-,]/g, '\\$&')}[=:]`, 'm'), flag);
    assert.match(help, /Options are "legacy", "general", "baseline", "netadmin", "restricted" or "sysadmin"/);
    assert.match(run('kubectl', ['options']).stdout, /^\s+-n, --namespace=/m);
  });

  test('the printed commands reach the API server; controls show flag errors are caught', async (t) => {
    if (!needTools(t, ['kubectl'])) return;
    const { dir, env } = await unreachableCluster(t);
    const podFile = join(dir, 'web.yaml');
    await writeFile(podFile, POD);
    const rootFile = join(dir, 'job.json');
    await writeFile(rootFile, ROOT_POD);

    const eph = distill(['debug', '--kubectl', 'pod/web', '--pod-file', podFile]);
    assert.equal(eph.status, 0, eph.stderr);
    const ephLine = eph.stdout.trim();
    assert.equal(
      ephLine,
      `kubectl debug -it -n shop pod/web --image=registry.example/distill/python3:debug-nonroot --target=app --profile=restricted --custom=<(echo '{"securityContext":{"runAsUser":1000,"runAsGroup":1000}}')`,
    );
    assertReachedServer(bash(ephLine, env), 'ephemeral');

    const copy = distill(['debug', '--kubectl', 'pod/web', '--pod-file', podFile, '--copy']);
    assert.equal(copy.status, 0, copy.stderr);
    assert.match(copy.stdout, /--copy-to=web-debug --share-processes --profile=restricted /);
    assertReachedServer(bash(copy.stdout.trim(), env), 'copy');

    const root = distill(['debug', '--kubectl', 'pod/job', '--pod-file', rootFile, '--json']);
    assert.equal(root.status, 0, root.stderr);
    const plan = JSON.parse(root.stdout);
    assert.equal(plan.profile, 'general');
    assert.equal(plan.image, 'registry.example/distill/static:debug');
    assert.equal(
      plan.command,
      'kubectl debug -it -n ci pod/job --image=registry.example/distill/static:debug --target=main --profile=general',
    );
    assertReachedServer(bash(plan.command, env), 'general');
    assertReachedServer(bash(plan.copyCommand, env), 'general copy');

    // Controls: the same harness sees kubectl refuse a bad flag, profile or --custom file.
    for (const [bad, re] of [
      [plan.command.replace('--target=main', '--targets=main'), /unknown flag: --targets/],
      [plan.command.replace('--profile=general', '--profile=generic'), /unknown profile: generic/],
      [`${plan.command} --custom=${join(dir, 'missing.json')}`, /must pass a container spec json file/],
    ] as const) {
      const r = bash(bad, env);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, re);
      assert.doesNotMatch(r.stderr, REFUSED);
    }
  });

  test("--run runs kubectl (its exit status is distill's); without --pod-file, kubectl get fails with DEBUG_KUBECTL_FAILED", async (t) => {
    if (!needTools(t, ['kubectl'])) return;
    const { dir, env } = await unreachableCluster(t);
    const podFile = join(dir, 'web.yaml');
    await writeFile(podFile, POD);
    const r = distill(['debug', '--kubectl', 'pod/web', '--pod-file', podFile, '--run'], env, '');
    assertReachedServer(r, 'distill debug --run');
    assert.equal(r.status, 1);
    // The --custom file was written for kubectl (it got past reading it) and removed afterwards.
    assert.doesNotMatch(r.stderr, /must pass a container spec/);

    const get = distill(['debug', '--kubectl', 'pod/web', '-n', 'shop', '--run'], env, '');
    assert.equal(get.status, 1);
    assert.match(get.stderr, /^distill: error DEBUG_KUBECTL_FAILED: kubectl get pod web -n shop -o json: /m);
    const noKubectl = distill(
      ['debug', '--kubectl', 'pod/web', '--run'],
      { ...env, PATH: join(dir, 'empty') },
      '',
    );
    assert.match(
      noKubectl.stderr,
      /DEBUG_KUBECTL_FAILED: kubectl is not installed \(Debian package kubectl\)/,
    );
  });

  test('bad input: a pod file of another pod or kind, an unknown container, no pod source', async (t) => {
    const dir = await tempDir(t, 'distill-debug-kubectl-');
    const podFile = join(dir, 'web.yaml');
    await writeFile(podFile, POD);
    const other = distill(['debug', '--kubectl', 'pod/api', '--pod-file', podFile]);
    assert.equal(other.status, 2);
    assert.match(other.stderr, /CLI_USAGE: --pod-file .* is pod web, not api/);
    const deploy = join(dir, 'deploy.yaml');
    await writeFile(deploy, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n');
    const notPod = distill(['debug', '--kubectl', 'pod/web', '--pod-file', deploy]);
    assert.equal(notPod.status, 1);
    assert.match(notPod.stderr, /^distill: error DEBUG_POD_INVALID: .*not a Pod/);
    const noC = distill(['debug', '--kubectl', 'pod/web', '--pod-file', podFile, '-c', 'db']);
    assert.match(noC.stderr, /DEBUG_POD_INVALID: pod web has no container "db" \(it has app\)/);
    assert.equal(distill(['debug', '--kubectl', 'pod/web']).status, 2);
    assert.equal(distill(['debug', '--kubectl', 'deployment/web', '--pod-file', podFile]).status, 2);
    assert.equal(
      distill(['debug', '--kubectl', 'pod/web', '--pod-file', podFile, '--profile', 'sysadmin']).status,
      2,
    );
  });
});
