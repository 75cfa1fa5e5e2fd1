/**
 * `distill run IMAGE [-- ARGS]`: runs an image with runc under the seed's hardened profile
 * (src/run). In the foreground distill's exit code is the container's; `--detach` prepares the
 * container here (so errors show here), then hands it to a detached `distill run --supervise ID`
 * that runs it with its output in a log file and releases the bundle when it exits.
 */
import { spawn } from 'node:child_process';
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Command, Option } from 'commander';
import { cacheRoot } from '../../platform/index.ts';
import {
  loadPrepared,
  logFile,
  prepareRun,
  RunError,
  readRunTarget,
  savePrepared,
  startRun,
} from '../../run/index.ts';
import { consoleOutput } from '../console-output.ts';
import { ExitStatus, UsageError } from '../errors.ts';
import { collect } from '../options.ts';

interface Flags {
  env: string[];
  volume: string[];
  name?: string;
  network?: string;
  allowRoot?: boolean;
  tty?: boolean;
  interactive?: boolean;
  detach?: boolean;
  rm?: boolean;
  platform?: string;
  quiet?: boolean;
  json?: boolean;
  supervise?: string;
  entrypoint?: string;
}

export function register(program: Command): void {
  program
    .command('run [image] [args...]')
    .description(
      'run an image with runc under the hardened profile: its non-root user, read-only root, tmpfs /tmp, ' +
        'no capabilities, no_new_privileges, seccomp, no network (IMAGE: oci:DIR[:TAG] (the default), ' +
        'docker-archive:FILE, docker-daemon:NAME:TAG, docker://REF; ARGS after -- replace its Cmd)',
    )
    .option('-e, --env <KEY=VALUE>', 'set an environment variable (repeatable)', collect, [])
    .option('-v, --volume <SRC:DST[:ro]>', 'bind-mount a host path (repeatable)', collect, [])
    .option('--entrypoint <path>', "replace the image's Entrypoint (its Cmd is dropped; ARGS still follow)")
    .option('--name <name>', 'the container name (default: distill-<random>)')
    .option(
      '--network <none|host>',
      "none: own network namespace with loopback only (default); host: the host's",
    )
    .option('--allow-root', 'run an image whose user is root (uid 0)')
    .option('-t, --tty', 'allocate a terminal')
    .option('-i, --interactive', 'keep stdin open')
    .option('-d, --detach', 'run in the background and print the container name')
    .option('--rm', 'delete the container bundle when it exits')
    .option(
      '--platform <os/arch[/variant]>',
      "the image of this platform, when IMAGE is an index (default: this machine's)",
    )
    .option('-q, --quiet', 'no progress lines')
    .option('--json', 'print the result as JSON (after the container exits; with --detach, at once)')
    .addOption(
      new Option('--supervise <id>', 'internal: run a prepared container (used by --detach)').hideHelp(),
    )
    .action(async (ref: string | undefined, args: string[], o: Flags) => {
      if (o.supervise) {
        const code = await startRun(await loadPrepared(o.supervise));
        if (code !== 0) throw new ExitStatus(code);
        return;
      }
      if (!ref) throw new UsageError('distill run: name an image (distill run oci:DIR[:TAG] [-- ARGS])');
      const out = consoleOutput(Boolean(o.json));
      if (o.detach && o.tty)
        throw new UsageError('--detach and --tty do not go together (a detached container has no terminal)');
      const tty = Boolean(o.tty) && Boolean(process.stdin.isTTY);
      if (o.tty && !tty) out.warn('distill: warning: --tty ignored: stdin is not a terminal');
      const prepared = await prepareRun({
        image: ref,
        ...(o.platform ? { platform: o.platform } : {}),
        args,
        ...(o.entrypoint !== undefined ? { entrypoint: o.entrypoint } : {}),
        env: o.env,
        volumes: o.volume,
        ...(o.name ? { name: o.name } : {}),
        ...(o.network ? { network: o.network } : {}),
        allowRoot: Boolean(o.allowRoot),
        tty,
        interactive: Boolean(o.interactive) && !o.detach,
        rm: Boolean(o.rm),
        cacheRoot: cacheRoot(process.env),
        ...(o.quiet ? {} : { onInfo: (l: string) => out.warn(`distill: ${l}`) }),
      });
      if (o.detach) {
        const r = await detach(prepared.id, prepared.bundle, () => savePrepared(prepared));
        out.result(r);
        out.info(prepared.id);
        return;
      }
      const exitCode = await startRun(prepared);
      out.result({
        id: prepared.id,
        exitCode,
        unpackedLayers: prepared.unpackedLayers,
        chainId: prepared.chainId,
      });
      if (exitCode !== 0) throw new ExitStatus(exitCode);
    });
}

/** Starts `distill run --supervise ID` detached, and waits until runc reports the container running. */
async function detach(
  id: string,
  bundle: string,
  save: () => Promise<void>,
): Promise<{ id: string; pid: number; supervisor: number; log: string; bundle: string }> {
  await save();
  const log = logFile(id);
  await mkdir(dirname(log), { recursive: true });
  const fh = await open(log, 'w', 0o600);
  const child = spawn(
    process.execPath,
    [...process.execArgv, process.argv[1] as string, 'run', '--supervise', id],
    {
      detached: true,
      stdio: ['ignore', fh.fd, fh.fd],
    },
  );
  await fh.close();
  let exited: number | null | undefined;
  child.on('exit', (c) => {
    exited = c;
  });
  child.unref();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const t = await readRunTarget(id).catch(() => undefined);
    if (t && t.status === 'running') return { id, pid: t.pid, supervisor: child.pid ?? 0, log, bundle };
    // A container that finished before we looked still ran (its output is in the log).
    if (exited === 0) return { id, pid: 0, supervisor: child.pid ?? 0, log, bundle };
    if (exited !== undefined) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const text = await readFile(log, 'utf8').catch(() => '');
  const m = /distill: error ([A-Z_]+): (.*)/.exec(text);
  if (m) throw new RunError(m[1] as 'RUN_RUNC_FAILED', m[2] as string);
  throw new RunError(
    'RUN_RUNC_FAILED',
    `the container ${id} did not start${exited !== undefined ? ` (exit ${exited})` : ''}; its log: ${log}\n${text.trim()}`,
  );
}
