/** Errors of `distill build`. Tests assert `code`; the CLI prints `distill: error CODE: message`. */
import { CodedError } from '../coded-error.ts';
export type AppErrorCode =
  /** distill.yaml (or a flag) is not valid: unknown field, wrong type, bad YAML. */
  | 'APP_CONFIG_INVALID'
  /** No detector recognised the project. */
  | 'APP_NOT_RECOGNISED'
  /** The project directory does not exist or is not a directory. */
  | 'APP_DIR_NOT_FOUND'
  /** package.json / lockfile unreadable or not JSON. */
  | 'APP_NODE_PROJECT_INVALID'
  /** No entry: neither `main`, a `start` script of the form `node FILE`, nor index.js/server.js. */
  | 'APP_NODE_ENTRY_NOT_FOUND'
  /** Production dependencies in the lockfile that are not installed in node_modules (run `npm ci`). */
  | 'APP_NODE_MODULES_MISSING'
  /** A native addon was built for a different Node.js ABI than the image's Node.js. */
  | 'APP_NODE_ABI_MISMATCH'
  /** Native addons built for different Node.js ABIs. */
  | 'APP_NODE_ABI_CONFLICT'
  /** The Node.js major asked for has no catalogue image. */
  | 'APP_NODE_VERSION_UNSUPPORTED'
  /** The entrypoint's program is not in the final image. */
  | 'APP_ENTRYPOINT_MISSING'
  /** A `files:` source is missing or a destination is unusable. */
  | 'APP_FILE_INVALID'
  /** A user name that the base's /etc/passwd does not know. */
  | 'APP_USER_UNKNOWN'
  /** A file the app brings is not a regular file/dir/symlink or points outside the project. */
  | 'APP_PATH_INVALID'
  /** A path the project names (files:, a lockfile folder, a Class-Path entry) leads out of the project. */
  | 'APP_PATH_ESCAPE'
  // The native checks (src/app/native*.ts) use these:
  /** An ELF file for another architecture than the image's. */
  | 'APP_ELF_ARCH_MISMATCH'
  /** The ELF interpreter (dynamic loader) is not in the image. */
  | 'APP_ELF_INTERPRETER_MISSING'
  /** A DT_NEEDED library is not in the image and no Debian package provides it. */
  | 'APP_LIBRARY_NOT_FOUND'
  /** A musl binary on a glibc base (or the reverse). */
  | 'APP_LIBC_MISMATCH'
  /** A Python extension module built for another Python version. */
  | 'APP_PYTHON_ABI_MISMATCH'
  /** An ELF file for another architecture than the image's (name used by the native checks). */
  | 'APP_ELF_WRONG_ARCH'
  /** A musl-linked binary on a glibc base. */
  | 'APP_ELF_MUSL_ON_GLIBC'
  /** A missing library that no Debian package provides (or the lookup could not run). */
  | 'APP_LIBRARY_UNAVAILABLE'
  // The python, java and go detectors (src/app/python*.ts, java*.ts, go*.ts) use these:
  /** A Python project without a main script (main.py, app.py, __main__.py) or `main:`. */
  | 'APP_PYTHON_ENTRY_NOT_FOUND'
  /** Requirements to install but no site-packages given and the host's pip cannot install them. */
  | 'APP_PYTHON_DEPS_UNAVAILABLE'
  /** No runnable jar (with Main-Class), or several. */
  | 'APP_JAVA_JAR_NOT_FOUND'
  /** A jar that is not a readable zip, or whose manifest is unusable. */
  | 'APP_JAVA_JAR_INVALID'
  /** Classes compiled for a newer Java than the image's. */
  | 'APP_JAVA_VERSION_MISMATCH'
  /** `--add-modules` names a module the JDK that links the runtime does not have. */
  | 'APP_JLINK_MODULE_UNKNOWN'
  /** `--jlink` needs runc (jlink runs in distill's JDK image) and there is none. */
  | 'APP_JLINK_RUNC_MISSING'
  /** jlink (or runc running it) failed; its own error is shown. */
  | 'APP_JLINK_FAILED'
  /** go.mod found but no `go` on PATH. */
  | 'APP_GO_MISSING'
  /** `go build` failed. */
  | 'APP_GO_BUILD_FAILED';

/** An error with a stable code and the error that caused it. */
export class AppError extends CodedError<AppErrorCode> {
  override readonly name = 'AppError';
}
