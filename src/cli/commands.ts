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
  publish: {
    summary: 'build the catalogue and push it to a registry as distroless tags it (shardable)',
    load: () => import('./commands/publish.ts'),
  },
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
  ps: {
    summary: 'list the containers of distill run (--all: stopped ones too)',
    load: () => import('./commands/ps.ts'),
  },
  stop: {
    summary: 'stop containers of distill run (SIGTERM, then SIGKILL after --time)',
    load: () => import('./commands/stop.ts'),
  },
  rm: {
    summary: 'remove stopped containers of distill run (--force: running ones too)',
    load: () => import('./commands/rm.ts'),
  },
  prune: {
    summary: "remove distill run's stopped containers and the unpacked image chains no container uses",
    load: () => import('./commands/prune.ts'),
  },
  sbom: {
    summary: 'write an SPDX or CycloneDX SBOM of any image',
    load: () => import('./commands/sbom.ts'),
  },
  debug: {
    summary: 'a busybox shell in a running container (distill run, Docker), or kubectl debug for a pod',
    load: () => import('./commands/debug.ts'),
  },
  kube: {
    summary: "Kubernetes manifests with the seed's securityContext; kube lint: Pod Security Standards",
    load: () => import('./commands/kube.ts'),
  },
  sign: {
    summary: 'sign an image as cosign does (registry or OCI layout), with a cosign key',
    load: () => import('./commands/sign.ts'),
  },
  attest: {
    summary: 'attest an image (SPDX SBOM, SLSA provenance) as cosign attest does',
    load: () => import('./commands/attest.ts'),
  },
  verify: {
    summary: "verify an image's cosign signatures and attestations against a public key",
    load: () => import('./commands/verify.ts'),
  },
  'generate-key-pair': {
    summary: 'write cosign.key and cosign.pub as cosign generate-key-pair does',
    load: () => import('./commands/generate-key-pair.ts'),
  },
  login: {
    summary: 'store registry credentials as docker login does',
    load: () => import('./commands/login.ts'),
  },
};
