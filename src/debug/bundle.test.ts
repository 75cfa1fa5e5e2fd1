import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { debugBundleConfig } from './bundle.ts';

type Config = {
  process: {
    user: unknown;
    args: string[];
    terminal: boolean;
    noNewPrivileges: boolean;
    capabilities: Record<string, string[]>;
    env: string[];
  };
  root: { path: string; readonly: boolean };
  mounts: { destination: string; type: string; source: string; options?: string[] }[];
  linux: { namespaces: { type: string; path?: string }[]; uidMappings?: unknown };
};

const base = {
  target: { pid: 4242, uid: 65532, gid: 65532, name: 'web' },
  rootfs: '/cache/rootfs/debug-busybox-x',
  args: [],
  terminal: true,
  root: false,
  hosts: '/b/hosts',
  resolvConf: '/b/resolv.conf',
};

describe('debugBundleConfig', () => {
  it("joins the target's pid, net, ipc and uts namespaces by path; its own mount namespace over a read-only busybox root", () => {
    const c = debugBundleConfig(base) as unknown as Config;
    assert.deepEqual(c.linux.namespaces, [
      { type: 'pid', path: '/proc/4242/ns/pid' },
      { type: 'network', path: '/proc/4242/ns/net' },
      { type: 'ipc', path: '/proc/4242/ns/ipc' },
      { type: 'uts', path: '/proc/4242/ns/uts' },
      { type: 'mount' },
    ]);
    assert.deepEqual(c.root, { path: base.rootfs, readonly: true });
    assert.deepEqual(c.process.args, ['/busybox/sh']);
    assert.ok(c.process.env.includes('PATH=/busybox'));
    // Nothing of the target is mounted: only kernel filesystems, tmpfs and the bundle's own files.
    for (const m of c.mounts)
      assert.ok(
        ['proc', 'tmpfs', 'devpts'].includes(m.type) || m.source.startsWith('/b/'),
        JSON.stringify(m),
      );
    assert.ok(c.mounts.filter((m) => m.type === 'bind').every((m) => m.options?.includes('ro')));
  });
  it("runs as the target's user with the target's capabilities (none here), no_new_privileges", () => {
    const c = debugBundleConfig({ ...base, args: ['ps'], terminal: false }) as unknown as Config;
    assert.deepEqual(c.process.user, { uid: 65532, gid: 65532 });
    assert.deepEqual(c.process.args, ['ps']);
    assert.equal(c.process.terminal, false);
    assert.equal(c.process.noNewPrivileges, true);
    for (const set of Object.values(c.process.capabilities)) assert.deepEqual(set, []);
    const same = debugBundleConfig({ ...base, targetCapabilities: ['CAP_KILL'] }) as unknown as Config;
    for (const set of Object.values(same.process.capabilities)) assert.deepEqual(set, ['CAP_KILL']);
  });
  it("--root: uid 0 with SYS_PTRACE, DAC_READ_SEARCH and KILL only, never the target's set", () => {
    const c = debugBundleConfig({
      ...base,
      root: true,
      targetCapabilities: ['CAP_SYS_ADMIN'],
    }) as unknown as Config;
    assert.deepEqual(c.process.user, { uid: 0, gid: 0 });
    const caps = ['CAP_SYS_PTRACE', 'CAP_DAC_READ_SEARCH', 'CAP_KILL'];
    assert.deepEqual(c.process.capabilities, {
      bounding: caps,
      effective: caps,
      permitted: caps,
      inheritable: [],
      ambient: [],
    });
  });
  it('a target in another user namespace: joined, with its mappings', () => {
    const userns = {
      uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
      gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
    };
    const c = debugBundleConfig({ ...base, userns }) as unknown as Config;
    assert.deepEqual(c.linux.namespaces.at(-1), { type: 'user', path: '/proc/4242/ns/user' });
    assert.deepEqual(c.linux.uidMappings, userns.uidMappings);
  });
});
