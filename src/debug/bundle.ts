/**
 * The OCI runtime config of a debug shell: its own mount namespace over the read-only busybox tree
 * (busybox-rootfs.ts), and the target's pid, network, ipc and uts namespaces joined by path
 * (/proc/PID/ns/...), so `ps` lists the target's processes, `localhost` is the target's, and the
 * target's filesystem is /proc/1/root. Nothing of the target is mounted, copied or written.
 *
 * The shell runs as the target's uid/gid with exactly the target's permitted capabilities (none
 * for a target under the seed's profile) and no_new_privileges: the kernel lets a process read
 * another's /proc/PID/root when both run as the same user and the reader's capabilities include
 * the target's (ptrace "read" access), so the same user with the same set may, and the shell never
 * holds more than the target already does. `--root` runs it as uid 0 with SYS_PTRACE (to pass that
 * check for a target of another user), DAC_READ_SEARCH (to read the target's files whatever their
 * modes) and KILL (to signal its processes): reading and signalling, never writing as another
 * user (no DAC_OVERRIDE, no CHOWN, no SETUID). Root without SYS_PTRACE gets EACCES on /proc/1/root
 * of a non-root target. The shell's system calls pass Docker's default seccomp profile for the
 * capabilities it holds, as a `distill run` container's do.
 */
import { MASKED_PATHS, type OciSeccomp, READONLY_PATHS } from '../run/index.ts';
import type { DebugTarget } from './target-types.ts';

export const ROOT_CAPABILITIES = ['CAP_SYS_PTRACE', 'CAP_DAC_READ_SEARCH', 'CAP_KILL'] as const;

export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface BundleOptions {
  target: Pick<DebugTarget, 'pid' | 'uid' | 'gid' | 'name'>;
  /** The busybox tree (absolute). */
  rootfs: string;
  /** The command; the interactive shell when empty. */
  args: readonly string[];
  terminal: boolean;
  root: boolean;
  /** The target's permitted capabilities (CAP_* names): the shell's, unless root. */
  targetCapabilities?: readonly string[];
  /** Files in the bundle bound read-only over /etc/hosts and /etc/resolv.conf. */
  hosts: string;
  resolvConf: string;
  /** TERM of the caller's terminal. */
  term?: string;
  /** When the target lives in another user namespace: join it, with its mappings. */
  userns?: { uidMappings: IdMapping[]; gidMappings: IdMapping[] };
  /** The syscall filter (Docker's default profile for the shell's capabilities). */
  seccomp?: OciSeccomp;
}

const tmpfs = (destination: string, options: string[]) => ({
  destination,
  type: 'tmpfs',
  source: 'tmpfs',
  options,
});

/** The config.json of the debug container (a plain object, serialised by the caller). */
export function debugBundleConfig(o: BundleOptions): Record<string, unknown> {
  const ns = (type: string, name: string) => ({ type, path: `/proc/${o.target.pid}/ns/${name}` });
  const caps = o.root ? [...ROOT_CAPABILITIES] : [...(o.targetCapabilities ?? [])];
  const user = o.root ? { uid: 0, gid: 0 } : { uid: o.target.uid, gid: o.target.gid };
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: o.terminal,
      user,
      args: o.args.length > 0 ? [...o.args] : ['/busybox/sh'],
      env: [
        'PATH=/busybox',
        'HOME=/tmp',
        `TERM=${o.term || 'xterm'}`,
        // The prompt says where the shell is.
        `PS1=[debug ${o.target.name.replace(/[^\w.@:()-]/g, '_')}] \\w \\$ `,
      ],
      cwd: '/',
      // A non-root process keeps capabilities across exec only as ambient ones (which need inheritable).
      capabilities: {
        bounding: caps,
        effective: caps,
        permitted: caps,
        inheritable: o.root ? [] : caps,
        ambient: o.root ? [] : caps,
      },
      noNewPrivileges: true,
    },
    root: { path: o.rootfs, readonly: true },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      tmpfs('/dev', ['nosuid', 'strictatime', 'mode=755', 'size=65536k']),
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'],
      },
      tmpfs('/dev/shm', ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k']),
      tmpfs('/tmp', ['nosuid', 'nodev', 'mode=1777', 'size=65536k']),
      {
        destination: '/etc/hosts',
        type: 'bind',
        source: o.hosts,
        options: ['rbind', 'ro', 'nosuid', 'nodev', 'noexec'],
      },
      {
        destination: '/etc/resolv.conf',
        type: 'bind',
        source: o.resolvConf,
        options: ['rbind', 'ro', 'nosuid', 'nodev', 'noexec'],
      },
    ],
    linux: {
      namespaces: [
        ns('pid', 'pid'),
        ns('network', 'net'),
        ns('ipc', 'ipc'),
        ns('uts', 'uts'),
        { type: 'mount' },
        ...(o.userns ? [ns('user', 'user')] : []),
      ],
      ...(o.userns ? o.userns : {}),
      // Docker's defaults, as `distill run` applies them.
      maskedPaths: [...MASKED_PATHS],
      readonlyPaths: [...READONLY_PATHS],
      ...(o.seccomp ? { seccomp: o.seccomp } : {}),
    },
  };
}
