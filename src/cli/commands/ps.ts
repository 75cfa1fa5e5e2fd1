/** `distill ps [--all] [--json]`: the containers of `distill run` under the run root (src/run). */
import type { Command } from 'commander';
import { type ContainerInfo, listContainers } from '../../run/index.ts';
import { consoleOutput } from '../console-output.ts';
import { columns } from '../table.ts';

interface Flags {
  all?: boolean;
  json?: boolean;
}

function statusText(c: ContainerInfo): string {
  return c.status === 'exited' && c.exitCode !== undefined ? `exited (${c.exitCode})` : c.status;
}

const short = (digest: string | undefined) => (digest ? digest.replace(/^sha256:/, '').slice(0, 12) : '-');

export function register(program: Command): void {
  program
    .command('ps')
    .description(
      'list the containers of distill run: name, image, status, pid, supervisor, created (running ones; --all every bundle)',
    )
    .option('-a, --all', 'also the containers that are not running (exited, stopped, created)')
    .option('--json', 'print them as JSON')
    .action(async (o: Flags) => {
      const out = consoleOutput(Boolean(o.json));
      const all = await listContainers();
      const shown = o.all ? all : all.filter((c) => c.status === 'running' || c.status === 'paused');
      out.result(shown);
      const rows = [['NAME', 'IMAGE', 'DIGEST', 'STATUS', 'PID', 'SUPERVISOR', 'CREATED']];
      for (const c of shown)
        rows.push([
          c.id,
          c.image ?? '-',
          short(c.digest),
          statusText(c),
          c.pid !== undefined ? String(c.pid) : '-',
          c.supervisor !== undefined && c.detached ? String(c.supervisor) : '-',
          c.created ? c.created.replace(/\.\d+Z$/, 'Z') : '-',
        ]);
      for (const line of columns(rows)) out.info(line);
    });
}
