/**
 * The exit status a command asks for without an error: `distill debug` passes on its shell's (or
 * kubectl's) status. main() returns it once the command is done.
 */
let status = 0;

/** Sets the status main() returns for this run. */
export function setExitStatus(code: number): void {
  status = code;
}

/** The status set (0 when none), reset for the next run. */
export function takeExitStatus(): number {
  const s = status;
  status = 0;
  return s;
}
