/** SOURCE_DATE_EPOCH: the one source of time in images (reproducible-builds.org). */
import { CodedError } from '../coded-error.ts';

export class EpochError extends CodedError<'SOURCE_DATE_EPOCH_INVALID'> {
  override readonly name = 'EpochError';
  constructor(message: string) {
    super('SOURCE_DATE_EPOCH_INVALID', message);
  }
}

/** Seconds from SOURCE_DATE_EPOCH, default 0; anything but a non-negative integer is an error. */
export function sourceDateEpoch(env: Record<string, string | undefined>): number {
  const v = env.SOURCE_DATE_EPOCH;
  if (v === undefined || v === '') return 0;
  if (!/^\d+$/.test(v))
    throw new EpochError(`SOURCE_DATE_EPOCH must be a whole number of seconds, got ${JSON.stringify(v)}`);
  return Number(v);
}
