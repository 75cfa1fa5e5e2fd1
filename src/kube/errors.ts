/** Errors of `distill kube`. Tests assert `code`; the CLI maps them to messages and exit codes. */
import { CodedError } from '../coded-error.ts';

export type KubeErrorCode =
  /** The image runs as root (by number, by name, or because no user is set): `--user` or `--allow-root`. */
  | 'KUBE_ROOT_USER'
  /** The image's user (or group) is a name its /etc/passwd (/etc/group) does not hold. */
  | 'KUBE_USER_UNKNOWN'
  /** The image was read from a file or the Docker engine: the registry name must come from `--image-ref`. */
  | 'KUBE_IMAGE_REF_REQUIRED'
  /** `--image-ref` is not a registry name, or names another digest than the image's. */
  | 'KUBE_IMAGE_REF_INVALID'
  /** The name (from `--name` or the image) is not a DNS-1035 label. */
  | 'KUBE_NAME_INVALID'
  /** A flag's value is malformed: `--env`, `--port`, `--user`, a quantity, a path, `--replicas`. */
  | 'KUBE_OPTION_INVALID'
  /** A manifest file could not be read (missing, a directory, no permission). */
  | 'KUBE_MANIFEST_UNREADABLE'
  /** A manifest file is not YAML or JSON, or one of its documents is not an object. */
  | 'KUBE_MANIFEST_INVALID'
  /** `distill kube lint` found violations: exit code 3, as `distill audit`'s gate. */
  | 'KUBE_LINT_FAILED'
  /** `--output FILE` / `--sarif FILE` could not be written (nothing is left behind). */
  | 'KUBE_WRITE_FAILED';

export class KubeError extends CodedError<KubeErrorCode> {}
