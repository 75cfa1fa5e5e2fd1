/**
 * The command table: each command module exports `register(program)` and is loaded lazily
 * only when its name is on the command line, so `distill --help` and each command stay quick.
 */
import type { Command } from 'commander';

export interface CommandModule {
  register(program: Command): void;
}

/** name → loader; `help` text is shown in `distill --help` without loading the module. */
export const commands: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  audit: {
    summary: 'audit images: shells, package managers, setuid, root user, secrets, CVEs',
    load: () => import('./commands/audit.ts'),
  },
  base: {
    summary: 'build a distroless base image (static, base, cc, python3, nodejsNN, javaNN)',
    load: () => import('./commands/base.ts'),
  },
  build: {
    summary: 'build an application image from a project directory',
    load: () => import('./commands/build.ts'),
  },
  image: { summary: 'make images from directories', load: () => import('./commands/image.ts') },
  inspect: {
    summary: 'show an image: platforms, config, layers, sizes',
    load: () => import('./commands/inspect.ts'),
  },
  packages: {
    summary: 'resolve Debian packages and their dependencies',
    load: () => import('./commands/packages.ts'),
  },
  lock: { summary: 'resolve packages and write distill.lock', load: () => import('./commands/lock.ts') },
  push: { summary: 'push an image or index to a registry', load: () => import('./commands/push.ts') },
  pull: {
    summary: 'pull an image from a registry into an OCI layout',
    load: () => import('./commands/pull.ts'),
  },
  compare: {
    summary: 'compare images side by side (size, shell, package manager, libc, runtimes, user)',
    load: () => import('./commands/compare.ts'),
  },
  run: {
    summary: 'run an image with runc under the hardened profile (non-root, read-only, no caps, seccomp)',
    load: () => import('./commands/run.ts'),
  },
  sbom: {
    summary: 'write an SPDX or CycloneDX SBOM of any image',
    load: () => import('./commands/sbom.ts'),
  },
  login: {
    summary: 'store registry credentials as docker login does',
    load: () => import('./commands/login.ts'),
  },
};
