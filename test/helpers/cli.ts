/** Running the built CLI, and finding the real components end-to-end tests need. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/distill.js', import.meta.url));

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `distill ARGS` as a separate process (the built CLI), with extra environment. */
export function distill(args: string[], env: Record<string, string> = {}, input?: string): RunResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    ...(input !== undefined ? { input } : {}),
    timeout: 600_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Checks the tools a test needs, each as `package:command` (or `command` when both are named
 * alike; a command with a slash is a file path). Missing ones skip the test locally and fail it
 * under CI=true, naming the Debian package to install. Returns whether the test may go on.
 */
export function needTools(t: TestContext, specs: string[]): boolean {
  const missing: string[] = [];
  for (const spec of specs) {
    const [pkg, cmd] = spec.includes(':') ? (spec.split(':', 2) as [string, string]) : [spec, spec];
    const found = cmd.includes('/')
      ? existsSync(cmd)
      : spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
    if (!found) missing.push(`${cmd} (Debian package ${pkg})`);
  }
  if (missing.length === 0) return true;
  const msg = `missing ${missing.join(', ')}`;
  if (process.env.CI === 'true') throw new Error(`${msg}: end-to-end tests may not skip under CI`);
  t.skip(msg);
  return false;
}
