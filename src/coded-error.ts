/**
 * The one base of distill's errors: a stable string `code` (what tests assert and the CLI prints
 * as `distill: error CODE: …`) and the error that caused it. Each module's errors.ts declares its
 * code union and a one-line subclass, as sigstore-js's BaseError<T> does. A leaf module: it
 * imports nothing, so every layer may use it.
 */
export class CodedError<C extends string = string> extends Error {
  readonly code: C;
  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
