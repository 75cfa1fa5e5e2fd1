/**
 * End-to-end test helpers: real components on PATH (skip locally, fail under CI=true), the built
 * CLI as a child process, other programs, and temporary directories removed after each test.
 */
import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run compiled, from dist/test/helpers). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Whether `name` is an executable on PATH (or, with a slash, an executable file). */
export function hasTool(name: string): boolean {
  const candidates = name.includes('/')
    ? [name]
    : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, name));
  return candidates.some((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Requires a program for a test: false (and the test skipped, naming the Debian package) when it
 * is missing locally; under CI=true a missing component fails the test instead.
 *
 * @example if (!requireTool(t, 'skopeo', 'skopeo')) return;
 */
export function requireTool(t: TestContext, name: string, debPackage: string): boolean {
  if (hasTool(name)) return true;
  const msg = `${name} is not installed (Debian package ${debPackage}; .ci/run installs it)`;
  if (process.env.CI === 'true') throw new Error(`${msg}: end-to-end tests may not skip under CI=true`);
  t.skip(msg);
  return false;
}

/** Whether binfmt_misc has qemu-user-static's handler `name` (skips locally, fails under CI=true). */
export function requireBinfmt(t: TestContext, name: string): boolean {
  const path = `/proc/sys/fs/binfmt_misc/${name}`;
  if (existsSync(path) && readFileSync(path, 'utf8').startsWith('enabled')) return true;
  const msg = `${path} is not enabled (qemu-user-static: update-binfmts --enable ${name}; .ci/run does it)`;
  if (process.env.CI === 'true') throw new Error(`${msg}: end-to-end tests may not skip under CI=true`);
  t.skip(msg);
  return false;
}

/** Whether the Docker engine answers (docker.io installed and dockerd running). */
export function requireDocker(t: TestContext): boolean {
  if (!requireTool(t, 'docker', 'docker.io')) return false;
  const r = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status === 0) return true;
  const msg = `the Docker engine does not answer (start dockerd; .ci/run does): ${r.stderr.trim()}`;
  if (process.env.CI === 'true') throw new Error(msg);
  t.skip(msg);
  return false;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program; never throws (check `status`). */
export function run(cmd: string, args: readonly string[], opts: SpawnSyncOptions = {}): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 300_000, ...opts });
  return {
    status: r.status,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? r.error?.message ?? ''),
  };
}

/** Runs a program and returns its stdout; throws with its stderr when it fails. */
export function runOk(cmd: string, args: readonly string[], opts: SpawnSyncOptions = {}): string {
  const r = run(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/** Runs `node bin/distill.js ARGS` from the repository root, as a user would run `npx distill`. */
export function runDistill(args: readonly string[], env: Record<string, string> = {}): RunResult {
  return run(process.execPath, [join(REPO_ROOT, 'bin', 'distill.js'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
  });
}

/** A fresh temporary directory, removed when the test (or suite) ends. */
export async function tempDir(t: Pick<TestContext, 'after'>, prefix = 'distill-test-'): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(d, { recursive: true, force: true }));
  return d;
}

/** A TCP port free on 127.0.0.1 right now (for a container run with --network host). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
