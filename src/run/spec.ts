/**
 * The OCI runtime bundle's config.json for `distill run`: the seed's hardened profile by default —
 * the image's non-root user, a read-only root, tmpfs for /tmp and the image's declared Volumes, no
 * capabilities at all, no_new_privileges, Docker's default seccomp profile, Docker's masked and
 * read-only /proc and /sys paths, and an own network namespace (runc brings its loopback up) unless
 * the host network is asked for. Rootless runs map the image user onto the caller's uid in a user
 * namespace. Pure: everything it needs comes in as arguments.
 */
import type { OciSeccomp } from './seccomp.ts';

/** A range of host ids (an /etc/subuid line). */
export interface IdRange {
  start: number;
  count: number;
}

/** A `--volume SRC:DST[:ro]` bind mount. */
export interface BindVolume {
  source: string;
  destination: string;
  readonly: boolean;
}

export interface SpecInput {
  /** The full argv (entrypoint + cmd, or the overrides). */
  args: string[];
  /** KEY=VALUE, in order (later entries of a key win). */
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  additionalGids?: number[];
  terminal: boolean;
  hostname: string;
  /** The root filesystem, relative to the bundle or absolute. */
  rootfs: string;
  /** Writable tmpfs directories besides /tmp (the image config's Volumes). */
  tmpfs: string[];
  volumes: BindVolume[];
  network: 'none' | 'host';
  seccomp?: OciSeccomp;
  /**
   * Set when not root: the caller's uid and gid on the host become root of the container's user
   * namespace (runc needs its root mapped), and its subordinate ranges (/etc/subuid, /etc/subgid,
   * mapped by runc through newuidmap) the ids from 1 up — without them only root exists inside.
   */
  rootless?: { uid: number; gid: number; subuid?: IdRange; subgid?: IdRange };
  /** Annotations for the bundle (who made it, from which image). */
  annotations?: Record<string, string>;
}

/** Docker's default masked paths (moby oci/defaults.go): unreadable in the container. */
export const MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

/** Docker's default read-only paths. */
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

type Mount = { destination: string; type: string; source: string; options: string[] };

/** Sets (or replaces) `KEY=VALUE` entries: later keys win, first position kept. */
export function mergeEnv(...lists: (readonly string[])[]): string[] {
  const out = new Map<string, string>();
  for (const list of lists)
    for (const kv of list) {
      const i = kv.indexOf('=');
      const k = i < 0 ? kv : kv.slice(0, i);
      out.set(k, kv);
    }
  return [...out.values()];
}

function baseMounts(rootless: boolean, hostNetwork: boolean): Mount[] {
  const sys: Mount =
    rootless || hostNetwork
      ? // sysfs may be mounted only in a network namespace this user namespace owns.
        {
          destination: '/sys',
          type: 'none',
          source: '/sys',
          options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'],
        }
      : { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] };
  const mounts: Mount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: [
        'nosuid',
        'noexec',
        'newinstance',
        'ptmxmode=0666',
        'mode=0620',
        ...(rootless ? [] : ['gid=5']),
      ],
    },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    sys,
  ];
  if (!rootless)
    mounts.push({
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'],
    });
  return mounts;
}

/** The config.json of a container. */
export function runtimeSpec(i: SpecInput): Record<string, unknown> {
  const rootless = i.rootless !== undefined;
  const mounts = baseMounts(rootless, i.network === 'host');
  mounts.push({
    destination: '/tmp',
    type: 'tmpfs',
    source: 'tmpfs',
    options: ['nosuid', 'nodev', 'mode=1777'],
  });
  for (const d of i.tmpfs)
    if (d !== '/tmp')
      mounts.push({
        destination: d,
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'nodev', 'mode=0755', `uid=${i.uid}`, `gid=${i.gid}`],
      });
  for (const v of i.volumes)
    mounts.push({
      destination: v.destination,
      type: 'bind',
      source: v.source,
      options: ['rbind', 'nosuid', 'nodev', v.readonly ? 'ro' : 'rw'],
    });
  if (i.network === 'host')
    for (const f of ['/etc/resolv.conf', '/etc/hosts'])
      mounts.push({
        destination: f,
        type: 'bind',
        source: f,
        options: ['bind', 'ro', 'nosuid', 'nodev', 'noexec'],
      });

  const namespaces: { type: string }[] = [
    { type: 'pid' },
    { type: 'ipc' },
    { type: 'uts' },
    { type: 'mount' },
  ];
  if (i.network !== 'host') namespaces.push({ type: 'network' });
  if (rootless) namespaces.push({ type: 'user' }, { type: 'cgroup' });
  else namespaces.push({ type: 'cgroup' });

  const linux: Record<string, unknown> = {
    namespaces,
    maskedPaths: MASKED_PATHS,
    readonlyPaths: READONLY_PATHS,
  };
  if (i.seccomp) linux.seccomp = i.seccomp;
  if (i.rootless) {
    const map = (self: number, sub?: IdRange) => [
      { containerID: 0, hostID: self, size: 1 },
      ...(sub ? [{ containerID: 1, hostID: sub.start, size: sub.count }] : []),
    ];
    linux.uidMappings = map(i.rootless.uid, i.rootless.subuid);
    linux.gidMappings = map(i.rootless.gid, i.rootless.subgid);
  } else {
    // A fresh cgroup under runc's default parent, with no limits: the container's own accounting.
    linux.resources = { devices: [{ allow: false, access: 'rwm' }] };
  }

  return {
    ociVersion: '1.0.2',
    process: {
      terminal: i.terminal,
      user: {
        uid: i.uid,
        gid: i.gid,
        // In a rootless user namespace only the mapped group exists.
        ...(!rootless && i.additionalGids?.length ? { additionalGids: i.additionalGids } : {}),
      },
      args: i.args,
      env: i.env,
      cwd: i.cwd,
      capabilities: { bounding: [], effective: [], permitted: [], inheritable: [], ambient: [] },
      noNewPrivileges: true,
    },
    root: { path: i.rootfs, readonly: true },
    hostname: i.hostname,
    mounts,
    ...(i.annotations ? { annotations: i.annotations } : {}),
    linux,
  };
}
