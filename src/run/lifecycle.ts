/**
 * `distill stop` and `distill rm`: the containers of `distill run`, stopped and removed as Docker's
 * `stop` and `rm` do. Every name is checked before anything is done: an unknown name
 * (RUN_CONTAINER_NOT_FOUND) or, for rm without --force, a running container
 * (RUN_CONTAINER_RUNNING) changes nothing.
 *
 * Stop sends SIGTERM through `runc kill`, waits up to the grace time for the container's init to
 * end, then sends SIGKILL. The init is pid 1 of its namespace, where the kernel drops a signal the
 * process has no handler for: an init without a SIGTERM handler (or whose handler only resets
 * itself and raises the signal again, as Node.js's does) gets SIGKILL at once — what SIGTERM's
 * default action would have done, as `distill run` does for a forwarded signal — while one that
 * catches or ignores SIGTERM gets the grace time. Then it waits for the distill process that runs
 * the container (a --detach supervisor, or the foreground `distill run`) to release the bundle
 * (and delete it with --rm), so a stopped container is one whose bundle is settled.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { releaseBundle } from './bundle.ts';
import { type ContainerInfo, type ContainerOptions, isActive, listContainers } from './containers.ts';
import { RunError } from './errors.ts';
import { findRunc } from './host.ts';
import { leaseFile, removeLease } from './leases.ts';
import { checkName } from './options.ts';
import { handlesSignal, processId, stillRunning } from './processes.ts';
import { readExit } from './records.ts';
import { rootfsStore } from './rootfs.ts';
import { runcRoot } from './state.ts';

const execFileP = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How long a supervisor may take to release a bundle after its container ended. */
const RELEASE_WAIT_MS = 15_000;

export interface StopOptions extends ContainerOptions {
  /** Seconds between SIGTERM and SIGKILL (default 10). */
  time?: number;
}

export interface StopResult {
  id: string;
  /** It was running (false: nothing to do). */
  wasRunning: boolean;
  /** The last signal it was sent. */
  signal?: 'SIGTERM' | 'SIGKILL';
  /** Its exit code, when its bundle was kept (not --rm). */
  exitCode?: number;
}

export interface RemoveOptions extends ContainerOptions {
  /** Stop (SIGKILL) a running container first. */
  force?: boolean;
  /** The cache whose lease of the container's chains goes with it. */
  cacheRoot?: string;
}

export interface RemoveResult {
  id: string;
  /** It was running and was killed first (--force). */
  killed: boolean;
}

/** The named containers, each checked; RUN_NAME_INVALID / RUN_CONTAINER_NOT_FOUND before anything is done. */
async function resolve(ids: readonly string[], o: ContainerOptions): Promise<ContainerInfo[]> {
  for (const id of ids) checkName(id, 'container name');
  const all = new Map((await listContainers(o)).map((c) => [c.id, c]));
  const unknown = ids.filter((id) => !all.has(id));
  if (unknown.length)
    throw new RunError(
      'RUN_CONTAINER_NOT_FOUND',
      `no container ${unknown.map((u) => JSON.stringify(u)).join(', ')} started by distill run (distill ps --all lists them)`,
    );
  return [...new Set(ids)].map((id) => all.get(id) as ContainerInfo);
}

async function runcDo(runc: string, env: NodeJS.ProcessEnv, args: string[]): Promise<string | undefined> {
  try {
    await execFileP(runc, ['--root', runcRoot(env), ...args], { env });
    return undefined;
  } catch (e) {
    return String((e as { stderr?: string }).stderr || e).trim();
  }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() >= end) return false;
    await sleep(25);
  }
  return true;
}

/** Stops one container (see the module comment); `graceMs` 0 sends SIGKILL straight away. */
async function stopOne(
  c: ContainerInfo,
  graceMs: number,
  runc: string,
  env: NodeJS.ProcessEnv,
): Promise<StopResult> {
  const supervisor = c.supervisor !== undefined ? processId(c.supervisor) : undefined;
  const init = c.pid !== undefined ? processId(c.pid) : undefined;
  let signal: StopResult['signal'];
  const kill = async (sig: 'SIGTERM' | 'SIGKILL') => {
    signal = sig;
    const err = await runcDo(runc, env, ['kill', c.id, sig.slice(3)]);
    // runc refuses to signal a container whose init has just ended: that is a stopped container.
    if (err && stillRunning(init) && !/not running|does not exist/.test(err))
      throw new RunError('RUN_RUNC_FAILED', `runc kill ${c.id} ${sig.slice(3)}: ${err}`);
  };
  // Still being prepared (no runc container, no process yet): nothing to stop.
  if (c.status === 'created' && !init) return { id: c.id, wasRunning: false };
  const active =
    (c.status === 'running' || c.status === 'paused' || c.status === 'created') && stillRunning(init);
  if (active && init) {
    if (c.status === 'paused') await runcDo(runc, env, ['resume', c.id]);
    if (graceMs > 0 && handlesSignal(init.pid, 'SIGTERM')) {
      await kill('SIGTERM');
      // Stop waiting early when the init drops its handler (it would never act on the signal).
      await until(() => !stillRunning(init) || !handlesSignal(init.pid, 'SIGTERM'), graceMs);
    }
    if (stillRunning(init)) await kill('SIGKILL');
    if (!(await until(() => !stillRunning(init), RELEASE_WAIT_MS)))
      throw new RunError('RUN_RUNC_FAILED', `container ${c.id} (pid ${init.pid}) did not end after SIGKILL`);
  }
  // The process that ran it releases the bundle (and deletes it with --rm); wait for it.
  await until(() => !stillRunning(supervisor), RELEASE_WAIT_MS);
  const exit = c.rm ? undefined : await readExit(c.bundle);
  return {
    id: c.id,
    wasRunning: active,
    ...(signal ? { signal } : {}),
    ...(exit ? { exitCode: exit.exitCode } : {}),
  };
}

/**
 * Stops the named containers: SIGTERM, then SIGKILL after `time` seconds (see the module
 * comment). A container that is not running is left as it is.
 */
export async function stopContainers(ids: readonly string[], o: StopOptions = {}): Promise<StopResult[]> {
  const env = o.env ?? process.env;
  const runc = findRunc(o.runc, env);
  const time = o.time ?? 10;
  if (!(Number.isFinite(time) && time >= 0))
    throw new RunError('RUN_STOP_TIME_INVALID', `--time ${time}: give a number of seconds, 0 or more`);
  const list = await resolve(ids, { ...o, env });
  return Promise.all(list.map((c) => stopOne(c, time * 1000, runc, env)));
}

/** Deletes what is left of a container that is not running: runc's state, its bundle (overlay unmounted), log and lease. */
export async function removeStopped(
  c: ContainerInfo,
  runc: string,
  env: NodeJS.ProcessEnv,
  cacheRoot?: string,
): Promise<void> {
  if (c.status !== 'exited') {
    const err = await runcDo(runc, env, ['delete', '--force', c.id]);
    if (err && !/does not exist/.test(err))
      throw new RunError('RUN_RUNC_FAILED', `runc delete ${c.id}: ${err}`);
  }
  await releaseBundle(c.bundle, true);
  if (c.log) await rm(c.log, { force: true });
  if (c.lease) await removeLease(c.lease);
  if (cacheRoot) await removeLease(leaseFile(rootfsStore(cacheRoot), c.bundle));
}

/**
 * Removes the named containers. A running one is refused (RUN_CONTAINER_RUNNING, and nothing is
 * removed) unless `force`, which kills it first.
 */
export async function removeContainers(
  ids: readonly string[],
  o: RemoveOptions = {},
): Promise<RemoveResult[]> {
  const env = o.env ?? process.env;
  const runc = findRunc(o.runc, env);
  const list = await resolve(ids, { ...o, env });
  const running = list.filter(isActive);
  if (running.length && !o.force)
    throw new RunError(
      'RUN_CONTAINER_RUNNING',
      `${running.map((c) => c.id).join(', ')} ${running.length > 1 ? 'are' : 'is'} running: distill stop it first, or rm --force`,
    );
  const out: RemoveResult[] = [];
  for (const c of list) {
    const killed = isActive(c);
    if (killed) {
      await stopOne(c, 0, runc, env);
      // A supervisor still preparing (no container yet) is stopped itself, as Ctrl-C would.
      const sup = c.supervisor !== undefined ? processId(c.supervisor) : undefined;
      const signal = (sig: NodeJS.Signals) => {
        try {
          if (sup && stillRunning(sup)) process.kill(sup.pid, sig);
        } catch {} // gone meanwhile
      };
      signal('SIGTERM');
      if (!(await until(() => !stillRunning(sup), 5000))) signal('SIGKILL');
    }
    await removeStopped(c, runc, env, o.cacheRoot);
    out.push({ id: c.id, killed });
  }
  return out;
}
