import assert from 'node:assert/strict';
import { release } from 'node:os';
import { describe, it } from 'node:test';
import { dockerDefaultSeccomp, kernelAtLeast, seccompFor } from './seccomp.ts';
import { MASKED_PATHS, mergeEnv, READONLY_PATHS, runtimeSpec, type SpecInput } from './spec.ts';

const input: SpecInput = {
  args: ['/app', 'serve'],
  env: ['PATH=/usr/bin', 'A=1'],
  cwd: '/home/nonroot',
  uid: 65532,
  gid: 65532,
  additionalGids: [10],
  terminal: false,
  hostname: 'c1',
  rootfs: 'rootfs',
  tmpfs: ['/var/cache/app'],
  volumes: [{ source: '/srv/data', destination: '/data', readonly: true }],
  network: 'none',
};

type Spec = {
  process: {
    user: { uid: number; gid: number; additionalGids?: number[] };
    capabilities: Record<string, string[]>;
    noNewPrivileges: boolean;
    args: string[];
    env: string[];
    cwd: string;
    terminal: boolean;
  };
  root: { path: string; readonly: boolean };
  mounts: { destination: string; type: string; source: string; options: string[] }[];
  linux: {
    namespaces: { type: string }[];
    maskedPaths: string[];
    readonlyPaths: string[];
    uidMappings?: unknown[];
    gidMappings?: unknown[];
    seccomp?: unknown;
  };
};

describe('runtimeSpec (config.json)', () => {
  it("applies the seed's profile: image user, read-only root, no capabilities, no_new_privileges, masked /proc", () => {
    const s = runtimeSpec(input) as unknown as Spec;
    assert.deepEqual(s.process.user, { uid: 65532, gid: 65532, additionalGids: [10] });
    assert.deepEqual(s.root, { path: 'rootfs', readonly: true });
    for (const set of ['bounding', 'effective', 'permitted', 'inheritable', 'ambient'])
      assert.deepEqual(s.process.capabilities[set], [], set);
    assert.equal(s.process.noNewPrivileges, true);
    assert.deepEqual(s.process.args, ['/app', 'serve']);
    assert.equal(s.process.cwd, '/home/nonroot');
    assert.deepEqual(s.linux.maskedPaths, MASKED_PATHS);
    assert.ok(s.linux.maskedPaths.includes('/proc/kcore') && s.linux.maskedPaths.includes('/proc/keys'));
    assert.deepEqual(s.linux.readonlyPaths, READONLY_PATHS);
    assert.ok(s.linux.readonlyPaths.includes('/proc/sys'));
    assert.equal(s.linux.uidMappings, undefined);
  });

  it('own network namespace by default, the host one with --network host (and its resolv.conf)', () => {
    const own = runtimeSpec(input) as unknown as Spec;
    assert.ok(own.linux.namespaces.some((n) => n.type === 'network'));
    assert.ok(!own.mounts.some((m) => m.destination === '/etc/resolv.conf'));
    assert.equal(own.mounts.find((m) => m.destination === '/sys')?.type, 'sysfs');
    const host = runtimeSpec({ ...input, network: 'host' }) as unknown as Spec;
    assert.ok(!host.linux.namespaces.some((n) => n.type === 'network'));
    assert.ok(host.mounts.some((m) => m.destination === '/etc/resolv.conf' && m.options.includes('ro')));
    // sysfs needs an own network namespace: the host's /sys is bound read-only instead.
    assert.deepEqual(host.mounts.find((m) => m.destination === '/sys')?.options.includes('ro'), true);
    assert.equal(host.mounts.find((m) => m.destination === '/sys')?.type, 'none');
  });

  it('tmpfs /tmp (sticky, world-writable) and tmpfs for declared volumes owned by the user; binds ro/rw', () => {
    const s = runtimeSpec(input) as unknown as Spec;
    const tmp = s.mounts.find((m) => m.destination === '/tmp');
    assert.deepEqual(tmp, {
      destination: '/tmp',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'nodev', 'mode=1777'],
    });
    const vol = s.mounts.find((m) => m.destination === '/var/cache/app');
    assert.equal(vol?.type, 'tmpfs');
    assert.ok(vol?.options.includes('uid=65532') && vol.options.includes('gid=65532'));
    const bind = s.mounts.find((m) => m.destination === '/data');
    assert.equal(bind?.type, 'bind');
    assert.equal(bind?.source, '/srv/data');
    assert.ok(bind?.options.includes('ro'));
    const rw = runtimeSpec({
      ...input,
      volumes: [{ source: '/x', destination: '/y', readonly: false }],
    }) as unknown as Spec;
    assert.ok(rw.mounts.find((m) => m.destination === '/y')?.options.includes('rw'));
    // A declared /tmp volume is the /tmp tmpfs, not a second mount.
    const t2 = runtimeSpec({ ...input, tmpfs: ['/tmp'] }) as unknown as Spec;
    assert.equal(t2.mounts.filter((m) => m.destination === '/tmp').length, 1);
  });

  it('rootless: a user namespace whose root is the caller and whose ids from 1 are its subordinate range, no supplementary groups, no gid= on devpts', () => {
    const sub = { start: 100000, count: 65536 };
    const s = runtimeSpec({
      ...input,
      rootless: { uid: 1000, gid: 1001, subuid: sub, subgid: sub },
    }) as unknown as Spec;
    assert.ok(s.linux.namespaces.some((n) => n.type === 'user'));
    assert.deepEqual(s.linux.uidMappings, [
      { containerID: 0, hostID: 1000, size: 1 },
      { containerID: 1, hostID: 100000, size: 65536 },
    ]);
    assert.deepEqual(s.linux.gidMappings, [
      { containerID: 0, hostID: 1001, size: 1 },
      { containerID: 1, hostID: 100000, size: 65536 },
    ]);
    const bare = runtimeSpec({
      ...input,
      uid: 0,
      gid: 0,
      rootless: { uid: 1000, gid: 1000 },
    }) as unknown as Spec;
    assert.deepEqual(bare.linux.uidMappings, [{ containerID: 0, hostID: 1000, size: 1 }]);
    assert.equal(s.process.user.additionalGids, undefined);
    assert.ok(!s.mounts.find((m) => m.destination === '/dev/pts')?.options.some((o) => o.startsWith('gid=')));
    assert.ok(!s.mounts.some((m) => m.type === 'cgroup'));
  });

  it('mergeEnv: later keys win in the first position', () => {
    assert.deepEqual(mergeEnv(['PATH=/a', 'A=1'], ['A=2', 'B=3'], ['PATH=/b']), ['PATH=/b', 'A=2', 'B=3']);
  });
});

describe("seccompFor (Docker's default profile for no capabilities)", () => {
  const profile = dockerDefaultSeccomp();
  const names = (s: ReturnType<typeof seccompFor>, action = 'SCMP_ACT_ALLOW') =>
    new Set(s.syscalls.filter((r) => r.action === action && !r.args).flatMap((r) => r.names));

  it('denies by default with EPERM and leaves out what needs a capability', () => {
    const s = seccompFor(profile, { arch: 'amd64', kernel: '6.1.0' });
    assert.equal(s.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(s.defaultErrnoRet, 1);
    assert.deepEqual(s.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    const allowed = names(s);
    for (const n of ['read', 'write', 'openat', 'execve', 'futex', 'arch_prctl'])
      assert.ok(allowed.has(n), n);
    for (const n of [
      'unshare',
      'mount',
      'keyctl',
      'add_key',
      'request_key',
      'bpf',
      'setns',
      'pivot_root',
      'chroot',
      'reboot',
      'init_module',
      'perf_event_open',
    ])
      assert.ok(!allowed.has(n), `${n} must not be allowed`);
    // clone only without namespace flags; clone3 answers ENOSYS so libcs fall back to clone.
    assert.ok(s.syscalls.some((r) => r.names.includes('clone') && r.args?.[0]?.op === 'SCMP_CMP_MASKED_EQ'));
    assert.ok(
      s.syscalls.some(
        (r) => r.names.includes('clone3') && r.action === 'SCMP_ACT_ERRNO' && r.errnoRet === 38,
      ),
    );
  });

  it('a capability brings its syscalls back (as dockerd does), and removes the clone/clone3 restrictions', () => {
    const s = seccompFor(profile, { arch: 'amd64', kernel: '6.1.0', caps: ['CAP_SYS_ADMIN'] });
    assert.ok(names(s).has('mount') && names(s).has('unshare'));
    assert.ok(!s.syscalls.some((r) => r.names.includes('clone3') && r.action === 'SCMP_ACT_ERRNO'));
  });

  it('per-architecture and minimum-kernel rules', () => {
    const arm = seccompFor(profile, { arch: 'arm64', kernel: '6.1.0' });
    assert.deepEqual(arm.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    assert.ok(!names(arm).has('arch_prctl'));
    assert.ok(names(arm).has('arm_fadvise64_64'));
    assert.ok(names(seccompFor(profile, { arch: 'amd64', kernel: '4.8.0' })).has('ptrace'));
    assert.ok(!names(seccompFor(profile, { arch: 'amd64', kernel: '4.4.0' })).has('ptrace'));
    assert.ok(kernelAtLeast(release(), '3.0'));
    assert.ok(kernelAtLeast('6.18.44-fc-v1252', '4.8'));
    assert.ok(!kernelAtLeast('4.4.0-generic', '4.8'));
    assert.ok(kernelAtLeast('4.10.1', '4.8'));
  });
});
