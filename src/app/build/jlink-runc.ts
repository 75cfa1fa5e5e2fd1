/**
 * Running a program of an unpacked image with runc, for `distill build --jlink`: the JDK image's
 * root read-only, no network, no capabilities, a tmpfs /tmp, and one host directory bound
 * read-write for the output. The container's state lives in a runc root of its own, removed with
 * the run, so nothing is left in the host's runc state.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors.ts';

export interface RuncRun {
  /** The unpacked root (read-only in the container). */
  rootfs: string;
  /** A scratch directory for the bundle and runc's state. */
  work: string;
  /** Host directory bound at `outMount`, read-write. */
  out: string;
  outMount: string;
  args: readonly string[];
  env: readonly string[];
  /** The runc binary (default `runc` on PATH). */
  runc?: string;
}

/** The OCI runtime config of the run (runtime-spec 1.0). */
export function runcConfig(r: RuncRun): object {
  const caps: string[] = [];
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: [...r.args],
      env: [...r.env],
      cwd: '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 4096, soft: 4096 }],
      noNewPrivileges: true,
    },
    root: { path: r.rootfs, readonly: true },
    hostname: 'distill-jlink',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      {
        destination: '/dev',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777'] },
      { destination: r.outMount, type: 'bind', source: r.out, options: ['rbind', 'rw'] },
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network' }],
      maskedPaths: ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/sys/firmware'],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/**
 * Runs the program; resolves with its output when it exits 0. APP_JLINK_RUNC_MISSING when runc is
 * not installed, APP_JLINK_FAILED (with the program's or runc's stderr) otherwise.
 */
export async function runcRun(r: RuncRun): Promise<{ stdout: string; stderr: string }> {
  const bundle = join(r.work, 'bundle');
  const state = join(r.work, 'runc-state');
  await mkdir(bundle, { recursive: true });
  await mkdir(state, { recursive: true });
  await writeFile(join(bundle, 'config.json'), JSON.stringify(runcConfig(r)));
  const runc = r.runc ?? 'runc';
  const id = `distill-jlink-${process.pid}-${Date.now().toString(36)}`;
  try {
    return await new Promise((resolve, reject) => {
      const p = spawn(runc, ['--root', state, 'run', '--bundle', bundle, id], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      p.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
      });
      p.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      p.on('error', (e: NodeJS.ErrnoException) =>
        reject(
          e.code === 'ENOENT'
            ? new AppError(
                'APP_JLINK_RUNC_MISSING',
                `--jlink runs jlink in distill's JDK image with runc, and there is no ${runc} on PATH: install runc (Debian package runc)`,
                { cause: e },
              )
            : new AppError('APP_JLINK_FAILED', `${runc}: ${e.message}`, { cause: e }),
        ),
      );
      p.on('close', (code) => {
        if (code === 0) resolve({ stdout, stderr });
        else
          reject(
            new AppError(
              'APP_JLINK_FAILED',
              `${r.args.join(' ')} in the JDK image exited ${code}:\n${(stderr || stdout).trim().slice(-4000)}`,
            ),
          );
      });
    });
  } finally {
    // A container that did not start cleanly may still be registered: remove it with its state.
    await new Promise<void>((resolve) => {
      const p = spawn(runc, ['--root', state, 'delete', '--force', id], { stdio: 'ignore' });
      p.on('error', () => resolve());
      p.on('close', () => resolve());
    });
    await rm(bundle, { recursive: true, force: true });
    await rm(state, { recursive: true, force: true });
  }
}
