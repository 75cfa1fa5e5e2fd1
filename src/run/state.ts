/**
 * Where `distill run` keeps its containers, and how another command (`distill debug`) finds one:
 * runc's state lives under `runcRoot()`, each container's OCI bundle under `bundleDir(id)`, and
 * `readRunTarget(id)` answers with what a command joining the container needs (its init pid, the
 * user it runs as, its rootfs). This is the contract between run and debug; nothing else
 * reaches into runc's state directory.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { RunError } from './errors.ts';
import { runcName } from './host.ts';

const execFileP = promisify(execFile);

/** The directory that holds runc's state and the bundles: $DISTILL_RUN_ROOT, else /run/distill as root, else a per-user dir. */
export function runRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DISTILL_RUN_ROOT) return env.DISTILL_RUN_ROOT;
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) return '/run/distill';
  return join(env.XDG_RUNTIME_DIR || tmpdir(), `distill-${uid}`);
}

/** runc's `--root` for distill's containers. */
export function runcRoot(env: NodeJS.ProcessEnv = process.env): string {
  return join(runRoot(env), 'runc');
}

/** The OCI runtime bundle (config.json + rootfs mount) of container `id`. */
export function bundleDir(id: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(runRoot(env), 'bundles', id);
}

/** The output of a detached container (`distill run --detach`). */
export function logFile(id: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(runRoot(env), 'logs', `${id}.log`);
}

/** What joining a running container needs. */
export interface RunTarget {
  id: string;
  /** The container's init process as the host sees it. */
  pid: number;
  status: string;
  uid: number;
  gid: number;
  /** The container's root filesystem on the host. */
  rootfs: string;
  bundle: string;
}

interface RuncState {
  id: string;
  pid: number;
  status: string;
  bundle: string;
}

/** Reads container `id` through `runc state`; RUN_CONTAINER_NOT_FOUND when runc does not know it. */
export async function readRunTarget(
  id: string,
  opts: { runc?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunTarget> {
  const env = opts.env ?? process.env;
  const runc = runcName(opts.runc, env);
  let state: RuncState;
  try {
    const { stdout } = await execFileP(runc, ['--root', runcRoot(env), 'state', id], { env });
    state = JSON.parse(stdout) as RuncState;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') {
      throw new RunError('RUNC_NOT_FOUND', 'runc is not installed (Debian package runc)', { cause: e });
    }
    throw new RunError('RUN_CONTAINER_NOT_FOUND', `no container "${id}" started by distill run`, {
      cause: e,
    });
  }
  let config: { process?: { user?: { uid?: number; gid?: number } }; root?: { path?: string } };
  try {
    config = JSON.parse(await readFile(join(state.bundle, 'config.json'), 'utf8'));
  } catch (e) {
    throw new RunError('RUN_STATE_UNREADABLE', `container "${id}": cannot read its bundle's config.json`, {
      cause: e,
    });
  }
  const rootPath = config.root?.path ?? 'rootfs';
  return {
    id: state.id,
    pid: state.pid,
    status: state.status,
    uid: config.process?.user?.uid ?? 0,
    gid: config.process?.user?.gid ?? 0,
    rootfs: isAbsolute(rootPath) ? rootPath : join(state.bundle, rootPath),
    bundle: state.bundle,
  };
}
