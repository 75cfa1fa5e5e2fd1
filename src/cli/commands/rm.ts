/**
 * `distill rm NAME... [--force]`: removes containers of `distill run` that are not running — runc's
 * state, the bundle (its overlay unmounted), the log — as `docker rm` does (src/run/lifecycle.ts).
 */
import type { Command } from 'commander';
import { cacheRoot } from '../../platform/index.ts';
import { removeContainers } from '../../run/index.ts';
import { consoleOutput } from '../console-output.ts';

interface Flags {
  force?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('rm <names...>')
    .description('remove containers of distill run that are not running (--force: kill a running one first)')
    .option('-f, --force', 'kill a running container (SIGKILL), then remove it')
    .option('--json', 'print the result as JSON')
    .action(async (names: string[], o: Flags) => {
      const out = consoleOutput(Boolean(o.json));
      const results = await removeContainers(names, {
        force: Boolean(o.force),
        cacheRoot: cacheRoot(process.env),
      });
      out.result(results);
      for (const r of results) out.info(r.id);
    });
}
