/** The real effects behind npm config discovery: this process's env, files, and the npm on PATH. */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, readFile, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { cacheRoot, openCache } from '../platform/index.ts';
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

/**
 * The npm installation `npm` on PATH runs: its real path and what identifies that install (the
 * stat of its real path and of its package.json, and its builtin npmrc). Undefined without npm.
 */
async function npmInstallIdentity(env: Env): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const real = await realpath(join(dir, 'npm')).catch(() => undefined);
    if (!real) continue;
    const root = dirname(dirname(real)); // <npm>/bin/npm-cli.js → <npm>
    const parts = [real];
    for (const f of [real, join(root, 'package.json')]) {
      const st = await stat(f).catch(() => undefined);
      parts.push(st ? `${st.ino}:${st.size}:${st.mtimeMs}` : '-');
    }
    parts.push((await readFile(join(root, 'npmrc'), 'utf8').catch(() => '')) ?? '');
    return createHash('sha256').update(parts.join('\0')).digest('hex');
  }
  return undefined;
}

/**
 * askNpmCli, remembered in distill's cache. It is asked only for what no npmrc file or npm_config_*
 * variable sets, and then npm answers from its builtin npmrc or compiled-in default: the same for as
 * long as the same npm install is on PATH. Spawning npm costs ~0.25 s, a warm build's whole budget.
 */
export function askNpmCliRemembered(env: Env, cwd: string): (key: string) => Promise<string | undefined> {
  const ask = askNpmCli(env, cwd);
  return async (key) => {
    const install = await npmInstallIdentity(env);
    if (!install) return ask(key);
    const cache = await openCache(cacheRoot(env)).catch(() => undefined);
    const memoKey = `npm-builtin-config:1:${install}:${key}`;
    const hit = await cache?.getJson<{ value: string }>(memoKey);
    if (hit && typeof hit.value === 'string') return hit.value;
    const value = await ask(key);
    if (value !== undefined) await cache?.putJson(memoKey, { value }).catch(() => {});
    return value;
  };
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
    ...(useCli ? { askNpm: askNpmCliRemembered(env, cwd) } : {}),
    ...rest,
  };
}
