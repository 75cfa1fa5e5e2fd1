import { CodedError } from '../coded-error.ts';
/** Errors raised by the CLI layer itself (bad flags, bad combinations). */
export class UsageError extends CodedError<'CLI_USAGE'> {
  override readonly name = 'UsageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('CLI_USAGE', message, options);
  }
}

/**
 * Not a failure of distill: the exit status a command hands on (`distill run` exits with its
 * container's). The CLI exits with it and prints nothing.
 */
export class ExitStatus extends Error {
  override readonly name = 'ExitStatus';
  constructor(readonly status: number) {
    super(`exit status ${status}`);
  }
}
