/** Errors raised by the CLI layer itself (bad flags, bad combinations). */
export class UsageError extends Error {
  readonly code = 'CLI_USAGE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}
