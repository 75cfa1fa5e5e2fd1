import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppPlan } from '../types.ts';
import { JLINK_OPTIONS } from './jlink.ts';
import { runcConfig } from './jlink-runc.ts';
import { type Project, planWarnings } from './steps-project.ts';

test("runc config of the jlink run: distill run's profile (read-only root, no network, no capabilities, seccomp, masked paths), one rw bind", () => {
  const c = runcConfig({
    rootfs: '/w/rootfs',
    work: '/w',
    out: '/w/out',
    outMount: '/jlink-out',
    args: ['/usr/lib/jvm/java-21-openjdk-amd64/bin/jlink', ...JLINK_OPTIONS],
    env: ['PATH=/usr/bin:/bin'],
  }) as {
    root: { path: string; readonly: boolean };
    process: { args: string[]; noNewPrivileges: boolean; capabilities: Record<string, string[]> };
    mounts: { destination: string; type: string; source: string; options?: string[] }[];
    linux: {
      namespaces: { type: string }[];
      seccomp?: { defaultAction: string; syscalls: unknown[] };
      maskedPaths: string[];
      readonlyPaths: string[];
    };
  };
  assert.deepEqual(c.root, { path: '/w/rootfs', readonly: true });
  assert.ok(c.process.noNewPrivileges);
  for (const set of Object.values(c.process.capabilities)) assert.deepEqual(set, []);
  assert.ok(
    c.linux.namespaces.some((n) => n.type === 'network'),
    'its own (empty) network namespace',
  );
  assert.equal(c.linux.seccomp?.defaultAction, 'SCMP_ACT_ERRNO', "Docker's default seccomp profile");
  assert.ok(c.linux.maskedPaths.includes('/proc/keys') && c.linux.readonlyPaths.includes('/proc/sys'));
  const rw = c.mounts.filter((m) => m.type === 'bind');
  assert.deepEqual(rw, [
    {
      destination: '/jlink-out',
      type: 'bind',
      source: '/w/out',
      options: ['rbind', 'nosuid', 'nodev', 'rw'],
    },
  ]);
  assert.ok(JLINK_OPTIONS.includes('--strip-java-debug-attributes'));
  assert.ok(
    !JLINK_OPTIONS.includes('--strip-debug'),
    'Debian’s --strip-debug needs objcopy, which the JDK image lacks',
  );
});

test('--jlink on a project that is not Java is a warning', () => {
  const emitted: string[] = [];
  const project = { config: { jlink: true }, outputsInside: [] } as unknown as Project;
  const plan = { kind: 'node', warnings: [] } as unknown as AppPlan;
  const w = planWarnings(project, plan, (e) => {
    if (e.type === 'warning') emitted.push(e.message);
  });
  assert.equal(w.length, 1);
  assert.match(
    w[0] as string,
    /--jlink \(jlink:\) is for Java applications; this is a node project: ignored/,
  );
  assert.deepEqual(emitted, w);
  const java = planWarnings(project, { kind: 'java', warnings: [] } as unknown as AppPlan, () => {});
  assert.deepEqual(java, []);
});
