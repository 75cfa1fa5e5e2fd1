/**
 * The containers under distill's run root, as `distill ps` lists them: every bundle under
 * `bundles/` (and anything runc still knows without one), with what `distill run` recorded — the
 * image reference it was given, the image digest and layer chain (config.json's annotations), the
 * process that answers for it (records.ts) and how it ended — and runc's view of it now.
 *
 * Status: runc's own (`running`, `paused`, `created`, `stopped`) while runc knows the container;
 * `created` while distill is still preparing or starting it (no runc container yet, its supervisor
 * running); `exited` once runc has let go of it (runc run deletes a container whose init ended)
 * and only its bundle is left.
 */
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RunError } from './errors.ts';
import { findRunc } from './host.ts';
import { stillRunning } from './processes.ts';
import { readExit, readJson, readSupervisor } from './records.ts';
import { bundleDir, logFile, runcRoot, runRoot } from './state.ts';

const execFileP = promisify(execFile);

export type ContainerStatus = 'running' | 'paused' | 'created' | 'stopped' | 'exited';

/** One container of `distill run`. */
export interface ContainerInfo {
  id: string;
  status: ContainerStatus;
  /** The image reference `distill run` was given. */
  image?: string;
  /** The digest of the image's manifest. */
  digest?: string;
  /** The chainID of the unpacked root filesystem it runs from (`$DISTILL_CACHE/rootfs/<hex>`). */
  chain?: string;
  /** Its init process as the host sees it, while runc runs it. */
  pid?: number;
  /** When its bundle was written (ISO 8601). */
  created?: string;
  /** The distill process that runs it and releases its bundle (with --detach: the background supervisor), while there is one. */
  supervisor?: number;
  /** Started with --detach. */
  detached: boolean;
  /** Started with --rm: its bundle goes when it exits. */
  rm: boolean;
  /** How it ended (a kept bundle). */
  exitCode?: number;
  finishedAt?: string;
  bundle: string;
  /** Its output, when detached. */
  log?: string;
  /** The cache lease of its chains (leases.ts), when recorded. */
  lease?: string;
}

export interface ContainerOptions {
  env?: NodeJS.ProcessEnv;
  /** The runc executable (default: runc on PATH, or $DISTILL_RUNC). */
  runc?: string;
}

/** runc's view of one container (`runc list --format json`). */
export interface RuncEntry {
  id: string;
  pid: number;
  status: string;
  bundle: string;
  created: string;
}

/** Every container runc knows under distill's runc root. */
export async function runcList(runc: string, env: NodeJS.ProcessEnv): Promise<RuncEntry[]> {
  try {
    const { stdout } = await execFileP(runc, ['--root', runcRoot(env), 'list', '--format', 'json'], { env });
    return (JSON.parse(stdout) as RuncEntry[] | null) ?? [];
  } catch (e) {
    throw new RunError('RUN_STATE_UNREADABLE', `runc list under ${runcRoot(env)} failed: ${String(e)}`, {
      cause: e,
    });
  }
}

interface BundleConfig {
  annotations?: Record<string, string>;
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

/** What the bundle of `id` records, with runc's entry for it (if any). */
async function describe(
  id: string,
  entry: RuncEntry | undefined,
  env: NodeJS.ProcessEnv,
): Promise<ContainerInfo> {
  const bundle = entry?.bundle || bundleDir(id, env);
  const config = await readJson<BundleConfig>(join(bundle, 'config.json'));
  const a = config?.annotations ?? {};
  const prepared = await readJson<{ lease?: string }>(join(bundle, 'prepared.json'));
  const created = await stat(join(bundle, 'config.json')).then(
    (s) => s.mtime.toISOString(),
    () => entry?.created,
  );
  const sup = await readSupervisor(bundle);
  const supervising = stillRunning(sup);
  const exit = await readExit(bundle);
  let status: ContainerStatus;
  if (entry)
    status =
      (['running', 'paused', 'created', 'stopped'] as const).find((s) => s === entry.status) ?? 'stopped';
  else status = supervising && !exit ? 'created' : 'exited';
  const log = logFile(id, env);
  return {
    id,
    status,
    ...(a['org.opencontainers.image.ref.name'] ? { image: a['org.opencontainers.image.ref.name'] } : {}),
    ...(a['io.distill.image.digest'] ? { digest: a['io.distill.image.digest'] } : {}),
    ...(a['io.distill.rootfs.chain'] ? { chain: a['io.distill.rootfs.chain'] } : {}),
    ...(entry && entry.pid > 0 && status !== 'stopped' ? { pid: entry.pid } : {}),
    ...(created ? { created } : {}),
    ...(supervising && sup ? { supervisor: sup.pid } : {}),
    detached: prepared !== undefined,
    rm: a['io.distill.rm'] === 'true',
    ...(exit && !entry ? { exitCode: exit.exitCode, finishedAt: exit.finishedAt } : {}),
    bundle,
    ...((await exists(log)) ? { log } : {}),
    ...(prepared?.lease ? { lease: prepared.lease } : {}),
  };
}

/** Every container under the run root (bundles and runc's), sorted by creation time. */
export async function listContainers(o: ContainerOptions = {}): Promise<ContainerInfo[]> {
  const env = o.env ?? process.env;
  const runc = findRunc(o.runc, env);
  const known = new Map((await runcList(runc, env)).map((e) => [e.id, e]));
  const names = new Set(await readdir(join(runRoot(env), 'bundles')).catch(() => [] as string[]));
  for (const id of known.keys()) names.add(id);
  const out = await Promise.all([...names].map((id) => describe(id, known.get(id), env)));
  return out.sort((x, y) => (x.created ?? '').localeCompare(y.created ?? '') || x.id.localeCompare(y.id));
}

/** Whether a container is (or is about to be) running: runc runs it, or distill still answers for it. */
export function isActive(c: ContainerInfo): boolean {
  return (
    c.status === 'running' || c.status === 'paused' || c.status === 'created' || c.supervisor !== undefined
  );
}
