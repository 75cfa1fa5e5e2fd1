/**
 * Running a program of distill's JDK image with runc, for `distill build --jlink`, on what
 * `distill run` is made of: the image unpacked once into the cache's `rootfs/<chainID>` (layers
 * checked against their diffIds), a bundle whose root is an overlay over that chain (as root), and
 * `runtimeSpec`'s profile — read-only root, no capabilities, no_new_privileges, Docker's seccomp
 * profile and masked paths, an own network namespace with loopback only — plus one host directory
 * bound read-write for the output. The program runs as root of the container (uid 0 with no
 * capabilities, which may write to the root-owned output directory and nothing else). The bundle
 * and runc's state live in the caller's scratch directory and are removed with the run, so
 * nothing is left in the host's runc state or in `distill run`'s.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import type { Image } from '../../oci/index.ts';
import {
  dockerDefaultSeccomp,
  findRunc,
  hostArch,
  leasedRootfs,
  prepareBundle,
  RunError,
  releaseBundle,
  runcName,
  runtimeSpec,
  seccompFor,
  writeSpec,
} from '../../run/index.ts';
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
  /** The runc binary (found on PATH by default). */
  runc?: string;
}

/** Whether this process runs runc rootless (then uid 0 of the container is the caller). */
const rootless = () => (process.getuid?.() ?? 0) !== 0;

/** The runc executable; APP_JLINK_RUNC_MISSING (with what to install) when there is none. */
export function jlinkRunc(explicit?: string): string {
  try {
    return findRunc(explicit);
  } catch (e) {
    if (!(e instanceof RunError && e.code === 'RUNC_NOT_FOUND')) throw e;
    throw new AppError(
      'APP_JLINK_RUNC_MISSING',
      `--jlink runs jlink in distill's JDK image with runc, and there is no ${runcName(explicit)} on PATH: install runc (Debian package runc)`,
      { cause: e },
    );
  }
}

/**
 * `image` unpacked into the cache (once per layer chain): the JDK's files, read-only, leased to
 * the run's bundle in `work` (a prune meanwhile keeps them) until `release()`.
 */
export async function jdkRootfs(
  image: Image,
  cacheRoot: string,
  work: string,
): Promise<{ path: string; release: () => Promise<void> }> {
  return leasedRootfs(image, cacheRoot, join(work, 'bundle'));
}

/** The OCI runtime config of the run: `distill run`'s profile, as root, with the output bound. */
export function runcConfig(r: RuncRun & { root?: string }): Record<string, unknown> {
  const self = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  return runtimeSpec({
    args: [...r.args],
    env: [...r.env],
    cwd: '/',
    uid: 0,
    gid: 0,
    terminal: false,
    hostname: 'distill-jlink',
    rootfs: r.root ?? r.rootfs,
    tmpfs: [],
    volumes: [{ source: r.out, destination: r.outMount, readonly: false }],
    network: 'none',
    // The program's syscalls reach the kernel as the host's (qemu translates a foreign JDK's).
    seccomp: seccompFor(dockerDefaultSeccomp(), { arch: hostArch(), kernel: release() }),
    ...(rootless() ? { rootless: self } : {}),
  });
}

/**
 * Runs the program; resolves with its output when it exits 0. APP_JLINK_RUNC_MISSING when runc is
 * not installed, APP_JLINK_FAILED (with the program's or runc's stderr) otherwise.
 */
export async function runcRun(r: RuncRun): Promise<{ stdout: string; stderr: string }> {
  const runc = jlinkRunc(r.runc);
  const bundle = join(r.work, 'bundle');
  const state = join(r.work, 'runc-state');
  await mkdir(state, { recursive: true });
  const id = `distill-jlink-${process.pid}-${Date.now().toString(36)}`;
  try {
    const root = await prepareBundle(bundle, r.rootfs, !rootless());
    await writeSpec(bundle, runcConfig({ ...r, root }));
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
      p.on('error', (e) => reject(new AppError('APP_JLINK_FAILED', `${runc}: ${e.message}`, { cause: e })));
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
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('APP_JLINK_FAILED', `running jlink: ${(e as Error).message}`, { cause: e });
  } finally {
    // A container that did not start cleanly may still be registered: remove it with its state.
    spawnSync(runc, ['--root', state, 'delete', '--force', id], { stdio: 'ignore' });
    await releaseBundle(bundle, true);
    await rm(state, { recursive: true, force: true });
  }
}
