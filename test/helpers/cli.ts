/**
 * Short forms over tools.ts for end-to-end tests: `distill(args)` runs the built CLI, and
 * `needTools(t, ['pkg:cmd', ...])` checks several components at once.
 */

import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { REPO_ROOT, type RunResult, requireTool, run, runDistill } from './tools.ts';

export type { RunResult };

/** Runs `distill ARGS` as a separate process (the built CLI), with extra environment and stdin. */
export function distill(args: string[], env: Record<string, string> = {}, input?: string): RunResult {
  return input === undefined
    ? runDistill(args, env)
    : run(process.execPath, [join(REPO_ROOT, 'bin', 'distill.js'), ...args], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env },
        input,
      });
}

/**
 * Checks the components a test needs, each `package:command` (or `command` when both are named
 * alike; a command with a slash is a file path). Skips locally, fails under CI=true.
 */
export function needTools(t: TestContext, specs: string[]): boolean {
  for (const spec of specs) {
    const [pkg, cmd] = spec.includes(':') ? (spec.split(':', 2) as [string, string]) : [spec, spec];
    if (!requireTool(t, cmd, pkg)) return false;
  }
  return true;
}
