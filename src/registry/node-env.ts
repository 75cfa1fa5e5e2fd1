/** The real effects for a keychain: process.env, the home directory, fs, and helper processes. */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import type { HelperResult, KeychainEnv } from './keychain.ts';

export function nodeKeychainEnv(env: Record<string, string | undefined> = process.env): KeychainEnv {
  return {
    env,
    homedir: env.HOME || homedir(),
    readFile: async (p) => {
      try {
        return await readFile(p, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR')
          return undefined;
        throw e;
      }
    },
    runHelper: (helper, action, input) =>
      new Promise<HelperResult>((resolve, reject) => {
        const child = spawn(`docker-credential-${helper}`, [action], {
          stdio: ['pipe', 'pipe', 'pipe'],
          env,
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (b: Buffer) => {
          stdout += b.toString();
        });
        child.stderr.on('data', (b: Buffer) => {
          stderr += b.toString();
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
        child.stdin.on('error', () => {});
        child.stdin.end(input);
      }),
  };
}
