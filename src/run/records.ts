/**
 * What a bundle records about its container beside config.json, for `distill ps`, `stop`, `rm`
 * and `prune`: `supervisor.json`, the distill process that answers for the container right now
 * (the one preparing it, then the one running `runc run` — the background supervisor with
 * --detach — which releases the bundle when the container exits), and `exit.json`, the exit code
 * and time once it has exited (a bundle kept without --rm). Small JSON files written whole.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ProcessId, processId } from './processes.ts';

/** How a container ended. */
export interface ExitRecord {
  exitCode: number;
  /** ISO 8601. */
  finishedAt: string;
}

/** A JSON file's value, or undefined when it is absent or unreadable. */
export async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Records this process as the one that answers for the container of `bundle`. */
export async function writeSupervisor(bundle: string): Promise<void> {
  const self = processId(process.pid);
  if (self) await writeFile(join(bundle, 'supervisor.json'), JSON.stringify(self), { mode: 0o600 });
}

/** The process recorded by `writeSupervisor` (which may be gone: see stillRunning). */
export async function readSupervisor(bundle: string): Promise<ProcessId | undefined> {
  const r = await readJson<Partial<ProcessId>>(join(bundle, 'supervisor.json'));
  return r && typeof r.pid === 'number' && typeof r.start === 'string'
    ? { pid: r.pid, start: r.start }
    : undefined;
}

export async function writeExit(bundle: string, exitCode: number, at = new Date()): Promise<void> {
  const rec: ExitRecord = { exitCode, finishedAt: at.toISOString() };
  await writeFile(join(bundle, 'exit.json'), JSON.stringify(rec), { mode: 0o600 });
}

export async function readExit(bundle: string): Promise<ExitRecord | undefined> {
  const r = await readJson<Partial<ExitRecord>>(join(bundle, 'exit.json'));
  return r && typeof r.exitCode === 'number' && typeof r.finishedAt === 'string'
    ? { exitCode: r.exitCode, finishedAt: r.finishedAt }
    : undefined;
}
