/** How commands talk to people and programs: results on stdout, events and warnings on stderr. */
export interface Output {
  /** Human text on stdout (suppressed with --json). */
  info(line: string): void;
  /** Warnings and progress on stderr (kept with --json, where stdout carries only the result). */
  warn(line: string): void;
  /** The machine-readable result: printed as JSON when --json is set. */
  result(value: unknown): void;
  readonly json: boolean;
}

/** Set when stdout carries data (`--archive -`): human text then goes to stderr. */
let stdoutTaken = false;

/** Gives stdout to the data the command writes there; see stdoutTaken. */
export function reserveStdout(): void {
  stdoutTaken = true;
}

export function consoleOutput(json: boolean): Output {
  return {
    json,
    info: (line) => {
      if (!json) (stdoutTaken ? process.stderr : process.stdout).write(`${line}\n`);
    },
    warn: (line) => process.stderr.write(`${line}\n`),
    result: (value) => {
      if (json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
  };
}
