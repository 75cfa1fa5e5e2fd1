/**
 * Host processes as `distill run`'s lifecycle commands see them, from /proc: a pid alone may be
 * reused once its process is gone, so a process is named by its pid and its start time (field 22
 * of /proc/PID/stat, clock ticks since boot), and a zombie counts as gone.
 */
import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';

/** A process, named so that a reused pid is not mistaken for it. */
export interface ProcessId {
  pid: number;
  /** Its start time (/proc/PID/stat field 22). */
  start: string;
}

/** Fields of /proc/PID/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Process `pid` now (undefined when there is none, or only its zombie). */
export function processId(pid: number): ProcessId | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const f = statFields(pid);
  // f[0] is field 3 (state), so field 22 is f[19].
  if (!f || f[0] === 'Z' || f[0] === 'X' || f[19] === undefined) return undefined;
  return { pid, start: f[19] };
}

/** Whether `p` is still running (same pid, same start time, not a zombie). */
export function stillRunning(p: ProcessId | undefined): boolean {
  if (!p) return false;
  return processId(p.pid)?.start === p.start;
}

/** Whether process `pid` catches or ignores `sig` (SigCgt / SigIgn in /proc/PID/status). */
export function handlesSignal(pid: number, sig: NodeJS.Signals): boolean {
  const n = osConstants.signals[sig];
  if (!n) return true;
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return true;
  }
  const mask = (key: string) =>
    BigInt(`0x${new RegExp(`^${key}:\\s*([0-9a-f]+)`, 'm').exec(status)?.[1] ?? '0'}`);
  const bit = 1n << BigInt(n - 1);
  return ((mask('SigCgt') | mask('SigIgn')) & bit) !== 0n;
}
