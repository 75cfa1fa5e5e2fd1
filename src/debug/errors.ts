/** Errors of `distill debug`. Tests assert `code`; the CLI prints `distill: error CODE: …`. */
import { CodedError } from '../coded-error.ts';

export type DebugErrorCode =
  /** Neither `distill run` nor the Docker engine knows the target. */
  | 'DEBUG_TARGET_NOT_FOUND'
  /** The target exists but is not running (stopped, created, paused): there is nothing to join. */
  | 'DEBUG_TARGET_NOT_RUNNING'
  /** A `docker:` target, and the engine's socket does not answer. */
  | 'DEBUG_ENGINE_UNREACHABLE'
  /** The engine answered a container inspect with an error other than 404. */
  | 'DEBUG_ENGINE_FAILED'
  /** The target's user (Config.User) names a user or group its /etc/passwd or /etc/group lacks. */
  | 'DEBUG_USER_UNKNOWN'
  /** busybox-static could not be fetched (mirror, signature, download) or laid out as a rootfs. */
  | 'DEBUG_BUSYBOX_FETCH_FAILED'
  /** runc is not installed. */
  | 'DEBUG_RUNC_NOT_FOUND'
  /** runc could not start the debug container (permissions, namespaces). */
  | 'DEBUG_ATTACH_FAILED'
  /** `--pod-file`: not a Pod (YAML or JSON), or the container asked for is not in it. */
  | 'DEBUG_POD_INVALID'
  /** kubectl is missing or `kubectl get pod` failed. */
  | 'DEBUG_KUBECTL_FAILED';

export class DebugError extends CodedError<DebugErrorCode> {
  override readonly name = 'DebugError';
}
