/** The real effects behind npm config discovery: this process's env, files, and the npm on PATH. */
import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import type { Env, NpmConfigSources } from './config.ts';

/**
 * Runs `npm config get KEY` (npm's own answer, builtin config and defaults included); undefined
 * when npm is not on PATH or fails.
 */
export function askNpmCli(
  env: Env,
  cwd: string,
  timeoutMs = 30_000,
): (key: string) => Promise<string | undefined> {
  return (key) =>
    new Promise((done) => {
      execFile(
        'npm',
        ['config', 'get', key],
        { env: env as NodeJS.ProcessEnv, cwd, timeout: timeoutMs, encoding: 'utf8' },
        (err, stdout) => done(err ? undefined : stdout.trim() || undefined),
      );
    });
}

/** Sources for `discoverNpmConfig` from this process (env, cwd, home, file system, npm CLI). */
export function nodeConfigSources(
  over: Partial<NpmConfigSources> & { askNpmCli?: boolean } = {},
): NpmConfigSources {
  const env = over.env ?? process.env;
  const cwd = over.cwd ?? process.cwd();
  const { askNpmCli: useCli = true, ...rest } = over;
  return {
    env,
    cwd,
    home: homedir(),
    execPath: process.execPath,
    readFile: async (p) => {
      try {
        return await readFile(p, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    exists: (p) =>
      access(p).then(
        () => true,
        () => false,
      ),
    ...(useCli ? { askNpm: askNpmCli(env, cwd) } : {}),
    ...rest,
  };
}
