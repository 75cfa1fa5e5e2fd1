/**
 * `distill debug`: a busybox shell in a running distroless container's namespaces (a `distill run`
 * container or a Docker engine one), and the `kubectl debug` command for a pod.
 */
export * from './attach.ts';
export * from './bundle.ts';
export * from './busybox-rootfs.ts';
export * from './capabilities.ts';
export * from './docker-target.ts';
export * from './errors.ts';
export * from './kubectl.ts';
export * from './kubectl-run.ts';
export * from './pod.ts';
export * from './target.ts';
export type { DebugTarget } from './target-types.ts';
export * from './user.ts';
