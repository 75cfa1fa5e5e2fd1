import { CodedError } from '../coded-error.ts';
/** Errors raised by the CLI layer itself (bad flags, bad combinations). */
export class UsageError extends CodedError<'CLI_USAGE'> {
  override readonly name = 'UsageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('CLI_USAGE', message, options);
  }
}
