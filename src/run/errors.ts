/** Error codes of `distill run` and of finding what it started. */
import { CodedError } from '../coded-error.ts';

export type RunErrorCode =
  /** runc is not on PATH (Debian package runc). */
  | 'RUNC_NOT_FOUND'
  /** No container of that name under the run root (no bundle, and runc does not know it). */
  | 'RUN_CONTAINER_NOT_FOUND'
  /** `distill rm` of a running container without --force. */
  | 'RUN_CONTAINER_RUNNING'
  /** `distill stop --time` is not a number of seconds ≥ 0. */
  | 'RUN_STOP_TIME_INVALID'
  | 'RUN_STATE_UNREADABLE'
  /** The image runs as uid 0 and --allow-root was not given. */
  | 'RUN_ROOT_REFUSED'
  /** The image's User names a user or group its /etc/passwd or /etc/group does not have. */
  | 'RUN_USER_UNKNOWN'
  /** `--volume` is not SRC:DST[:ro|rw], SRC is missing, or DST is not absolute. */
  | 'RUN_VOLUME_INVALID'
  /** `--env` is not K=V. */
  | 'RUN_ENV_INVALID'
  /** `--network` is neither none nor host. */
  | 'RUN_NETWORK_INVALID'
  /** `--name` is not a valid container id, or a container of that name exists. */
  | 'RUN_NAME_INVALID'
  | 'RUN_NAME_IN_USE'
  /** The image is for an architecture this machine cannot execute (no binfmt handler). */
  | 'RUN_ARCH_UNSUPPORTED'
  /** Neither the image nor the command line gives a command. */
  | 'RUN_NO_COMMAND'
  /** A layer would write outside the root filesystem (`..`, absolute link target through a symlink). */
  | 'RUN_LAYER_UNSAFE'
  /** A layer's uncompressed bytes do not hash to the diffId the image config names. */
  | 'RUN_LAYER_DIGEST_MISMATCH'
  /** Not root and the kernel does not let this user create user namespaces. */
  | 'RUN_ROOTLESS_UNAVAILABLE'
  /** runc refused or failed to start the container (its own message follows). */
  | 'RUN_RUNC_FAILED';

export class RunError extends CodedError<RunErrorCode> {}
