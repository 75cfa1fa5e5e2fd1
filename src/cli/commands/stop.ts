/**
 * `distill stop NAME... [--time SECONDS]`: stops containers of `distill run` as `docker stop`
 * does — SIGTERM, then SIGKILL after the grace time — and waits until each one's bundle is
 * released (src/run/lifecycle.ts).
 */
import type { Command } from 'commander';
import { RunError, stopContainers } from '../../run/index.ts';
import { consoleOutput } from '../console-output.ts';

interface Flags {
  time: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('stop <names...>')
    .description(
      'stop containers of distill run: SIGTERM, then SIGKILL after --time seconds (an init without a SIGTERM handler, which would never see it, gets SIGKILL at once)',
    )
    .option('-t, --time <seconds>', 'seconds to wait after SIGTERM before SIGKILL', '10')
    .option('--json', 'print the result as JSON')
    .action(async (names: string[], o: Flags) => {
      const out = consoleOutput(Boolean(o.json));
      if (!/^\d+(\.\d+)?$/.test(o.time.trim()))
        throw new RunError(
          'RUN_STOP_TIME_INVALID',
          `--time ${JSON.stringify(o.time)}: give the seconds to wait before SIGKILL (0 or more)`,
        );
      const results = await stopContainers(names, { time: Number(o.time) });
      out.result(results);
      for (const r of results) out.info(r.id);
    });
}
