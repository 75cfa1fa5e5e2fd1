/** Error codes of `distill run` and of finding what it started. */
import { CodedError } from '../coded-error.ts';

export type RunErrorCode = 'RUNC_NOT_FOUND' | 'RUN_CONTAINER_NOT_FOUND' | 'RUN_STATE_UNREADABLE';

export class RunError extends CodedError<RunErrorCode> {}
