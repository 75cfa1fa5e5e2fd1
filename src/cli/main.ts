/** The CLI entry and its single error boundary: every failure becomes a message and an exit code. */

import { Command, CommanderError } from 'commander';
import { removeTempsOnSignals } from '../files/index.ts';
import { packagePath } from '../package-root.ts';
import { stripControls } from '../platform/index.ts';
import { commands } from './commands.ts';
import { reserveStdout } from './console-output.ts';
import { ExitStatus } from './errors.ts';

/** Runs distill with argv (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  // Ctrl-C or a CI timeout must not leave half-written outputs or cache files behind.
  removeTempsOnSignals();
  const program = new Command('distill')
    .description('Distroless container images from signed Debian packages, without a Docker engine.')
    .version(await version(), '-V, --version')
    .exitOverride()
    .showHelpAfterError(false)
    // An option belongs to the command named before it (`kube lint --json` is lint's): without
    // this, commander hands an option a subcommand lacks up to its parent.
    .enablePositionalOptions();
  const name = argv.find((a) => !a.startsWith('-'));
  const entry = name ? commands[name] : undefined;
  if (entry) (await entry.load()).register(program);
  else for (const [n, c] of Object.entries(commands)) program.command(n).description(c.summary);
  const toStdout = archiveToStdout(argv);
  if (toStdout && argv.includes('--json')) {
    process.stderr.write(
      'distill: error CLI_USAGE: --archive - writes the tar to stdout, so --json cannot share it\n',
    );
    return 2;
  }
  if (toStdout) reserveStdout();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    return report(err);
  }
}

const STDOUT_PATHS = new Set(['-', '/dev/stdout', '/dev/fd/1', '/proc/self/fd/1']);

/** Whether `--archive` names stdout (`-`, /dev/stdout): then nothing else may be printed there. */
function archiveToStdout(argv: readonly string[]): boolean {
  return argv.some(
    (a, i) =>
      (a === '--archive' && STDOUT_PATHS.has(argv[i + 1] ?? '')) ||
      (a.startsWith('--archive=') && STDOUT_PATHS.has(a.slice(10))),
  );
}

/**
 * Exit codes other than 1: 2 a bad command line; 3 a gate found what it gates on — `distill
 * audit`'s (--fail-on, --policy), `distill kube lint`'s findings.
 */
const EXIT_CODES: Record<string, number> = { CLI_USAGE: 2, AUDIT_FAILED: 3, KUBE_LINT_FAILED: 3 };

/** Maps an error to a one-paragraph message on stderr and an exit code (see EXIT_CODES). */
export function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // Help and version are "errors" to commander; they have already printed.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
      return 0;
    return 2;
  }
  if (err instanceof ExitStatus) return err.status;
  const e = err as { code?: unknown; message?: string; cause?: unknown };
  const code = typeof e?.code === 'string' ? e.code : 'INTERNAL';
  // Messages may carry what a server or a file said: no escape sequence reaches the terminal.
  let msg = `distill: error ${code}: ${stripControls(e?.message ?? String(err))}`;
  if (code === 'INTERNAL' && err instanceof Error && err.stack) msg += `\n${err.stack}`;
  process.stderr.write(`${msg}\n`);
  return EXIT_CODES[code] ?? 1;
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(packagePath('package.json'), 'utf8'));
  return String(pkg.version);
}
