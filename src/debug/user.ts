/**
 * An image's `Config.User` as the engine resolves it when it starts the container: `""` is root,
 * `NAME` or `UID` with an optional `:GROUP` or `:GID`; names are looked up in the container's own
 * /etc/passwd and /etc/group, a numeric uid without a passwd entry gets gid 0 (Docker's rule).
 */
import { RunError, resolveProcessUser } from '../run/index.ts';
import { DebugError } from './errors.ts';

export interface UserIds {
  uid: number;
  gid: number;
}

/**
 * Resolves `user` (Config.User) against the container's passwd and group files (undefined when
 * the file is absent), as `distill run` resolves an image's user (runc's rules, which are the
 * engine's: a numeric uid without a passwd entry gets gid 0). DEBUG_USER_UNKNOWN for a name the
 * files do not have.
 * @example resolveUser('nonroot', 'nonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n') // {uid: 65532, gid: 65532}
 */
export function resolveUser(user: string, passwd?: string, group?: string): UserIds {
  try {
    const { uid, gid } = resolveProcessUser(user, passwd ?? '', group ?? '');
    return { uid, gid };
  } catch (e) {
    if (e instanceof RunError && e.code === 'RUN_USER_UNKNOWN')
      throw new DebugError('DEBUG_USER_UNKNOWN', e.message.replace("the image's", "the container's"), {
        cause: e,
      });
    throw e;
  }
}
