/**
 * `distill prune`: removes the containers of `distill run` that are not running, every unpacked
 * chain in the cache that no remaining container uses, and leftovers of interrupted unpacks
 * (src/run/prune.ts); prints what it freed.
 */
import type { Command } from 'commander';
import { cacheRoot } from '../../platform/index.ts';
import { prune } from '../../run/index.ts';
import { consoleOutput } from '../console-output.ts';
import { binarySize } from '../table.ts';

interface Flags {
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('prune')
    .description(
      "remove distill run's stopped containers, the unpacked image chains no container uses, and interrupted unpacks",
    )
    .option('--json', 'print the result as JSON')
    .action(async (o: Flags) => {
      const out = consoleOutput(Boolean(o.json));
      const r = await prune({ cacheRoot: cacheRoot(process.env) });
      out.result(r);
      for (const id of r.containers) out.info(`removed container ${id}`);
      for (const c of r.chains) out.info(`removed chain ${c}`);
      out.info(
        `freed ${binarySize(r.bytes)}: ${r.containers.length} container(s), ${r.chains.length} chain(s), ${r.temps} interrupted unpack(s); ${r.kept.length} chain(s) in use kept`,
      );
    });
}
