/**
 * The files of a distroless root that no Debian package ships, exactly as GoogleContainerTools/
 * distroless writes them (common/BUILD.bazel and static/BUILD with rules_distroless v0.8.0's
 * passwd, group, home, os_release rules): accounts, home directories, /tmp, nsswitch.conf and the
 * "Distroless" os-release.
 *
 * base-files ships /usr/lib/os-release, /root, /home and /tmp too (see BASE_FILES_OVERLAPS): these
 * entries must go in a layer above base-files so that ours win, as in distroless, where they are
 * separate tars after the package tars.
 */
import type { LayerEntry } from '../oci/index.ts';
import { AssembleError } from './errors.ts';

/** The Debian releases distroless builds. */
export type DebianRelease = 12 | 13;

const CODENAMES: Record<DebianRelease, string> = { 12: 'bookworm', 13: 'trixie' };

export const ROOT_UID = 0;
export const NOBODY_UID = 65534;
export const NONROOT_UID = 65532;

/** /etc/passwd, byte for byte (distroless base/testdata/base.yaml checks this exact text). */
export const PASSWD_TEXT =
  'root:x:0:0:root:/root:/sbin/nologin\n' +
  'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' +
  'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n';

/** /etc/group, byte for byte. */
export const GROUP_TEXT = 'root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n';

/** distroless static/nsswitch.conf verbatim. */
export const NSSWITCH_TEXT = `# /etc/nsswitch.conf
#
# Example configuration of GNU Name Service Switch functionality.
# If you have the \`glibc-doc-reference' and \`info' packages installed, try:
# \`info libc "Name Service Switch"' for information about this file.

passwd:         compat
group:          compat
shadow:         compat
gshadow:        files

hosts:          files dns
networks:       files

protocols:      db files
services:       db files
ethers:         db files
rpc:            db files

netgroup:       nis
`;

/**
 * nsswitch.conf's mtime in distroless (static/BUILD's mtree says time=1514722362): a fixed
 * constant, so it is reproducible whatever SOURCE_DATE_EPOCH is; every other entry here takes the
 * layer writer's mtime (SOURCE_DATE_EPOCH; distroless uses 0).
 */
export const NSSWITCH_MTIME = 1514722362;

/**
 * Paths both base-files and these root files provide (checked against base-files 12.4+deb12u15 and
 * 13.8+deb13u8). The attributes of /root, /home and /tmp agree; /usr/lib/os-release differs
 * (Debian's text, 0644): the layer holding these entries must come after base-files.
 */
export const BASE_FILES_OVERLAPS: readonly string[] = ['home', 'root', 'tmp', 'usr/lib/os-release'];

function checkRelease(debian: number): asserts debian is DebianRelease {
  if (!Object.hasOwn(CODENAMES, debian))
    throw new AssembleError(
      'ASSEMBLE_RELEASE_UNKNOWN',
      `Debian ${debian} is not a release distroless builds (12 or 13)`,
    );
}

function dir(path: string, mode: number, uid = 0, gid = uid): LayerEntry {
  return { path, type: 'dir', mode, uid, gid };
}

function file(path: string, text: string, mode: number, mtime?: number): LayerEntry {
  const data = Buffer.from(text, 'utf8');
  const e: LayerEntry = { path, type: 'file', mode, uid: 0, gid: 0, size: data.length, content: () => data };
  if (mtime !== undefined) e.mtime = mtime;
  return e;
}

/**
 * The text of /usr/lib/os-release: distroless common/variables.bzl OS_RELEASE, each value quoted,
 * one `KEY="value"` line each in that order, ending with a newline.
 * @example osReleaseText(13).split('\n')[4] // 'VERSION="Debian GNU/Linux 13 (trixie)"'
 */
export function osReleaseText(debian: DebianRelease): string {
  checkRelease(debian);
  const fields: [string, string][] = [
    ['PRETTY_NAME', 'Distroless'],
    ['NAME', 'Debian GNU/Linux'],
    ['ID', 'debian'],
    ['VERSION_ID', `${debian}`],
    ['VERSION', `Debian GNU/Linux ${debian} (${CODENAMES[debian]})`],
    ['HOME_URL', 'https://github.com/GoogleContainerTools/distroless'],
    ['SUPPORT_URL', 'https://github.com/GoogleContainerTools/distroless/blob/master/README.md'],
    ['BUG_REPORT_URL', 'https://github.com/GoogleContainerTools/distroless/issues/new'],
  ];
  return fields.map(([k, v]) => `${k}="${v}"\n`).join('');
}

/** /etc/passwd (0644) and its /etc parent. */
export function passwdEntries(): LayerEntry[] {
  return [dir('etc', 0o755), file('etc/passwd', PASSWD_TEXT, 0o644)];
}

/** /etc/group (0644) and its /etc parent. */
export function groupEntries(): LayerEntry[] {
  return [dir('etc', 0o755), file('etc/group', GROUP_TEXT, 0o644)];
}

/** /root 0700, /home 0755, /home/nonroot 0700 owned by 65532:65532. */
export function homeEntries(): LayerEntry[] {
  return [dir('root', 0o700), dir('home', 0o755), dir('home/nonroot', 0o700, NONROOT_UID)];
}

/** /tmp with the sticky bit (01777). */
export function tmpEntries(): LayerEntry[] {
  return [dir('tmp', 0o1777)];
}

/** /etc/nsswitch.conf (0644, mtime NSSWITCH_MTIME). */
export function nsswitchEntries(): LayerEntry[] {
  return [dir('etc', 0o755), file('etc/nsswitch.conf', NSSWITCH_TEXT, 0o644, NSSWITCH_MTIME)];
}

/**
 * /usr/lib/os-release with its parents. Mode 0555 is rules_distroless v0.8.0's default, the version
 * distroless pins (later versions changed it to 0644). /etc/os-release is base-files' symlink to it.
 */
export function osReleaseEntries(debian: DebianRelease): LayerEntry[] {
  return [dir('usr', 0o755), dir('usr/lib', 0o755), file('usr/lib/os-release', osReleaseText(debian), 0o555)];
}

/**
 * Every file of the distroless root outside packages except the CA bundle (see ca-bundle.ts),
 * plus the /etc/ssl/certs directory the bundle lives in. Parent directories are explicit (0755
 * root), so the entries carry the same attributes whichever layer they are written into.
 * @example const layer = await writeLayer(rootFiles(13), { dir, mtime: epoch });
 */
export function rootFiles(debian: DebianRelease): LayerEntry[] {
  checkRelease(debian);
  const all = [
    ...passwdEntries(),
    ...homeEntries(),
    ...groupEntries(),
    ...tmpEntries(),
    ...nsswitchEntries(),
    ...osReleaseEntries(debian),
    dir('etc/ssl', 0o755),
    dir('etc/ssl/certs', 0o755),
  ];
  // One entry per path (etc appears in several distroless tars with the same attributes).
  return [...new Map(all.map((e) => [e.path, e])).values()];
}
