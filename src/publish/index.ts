/**
 * `distill publish`: the catalogue built and pushed to a registry as distroless tags it — per-arch
 * images, multi-arch indexes, only what changed — on one machine or sharded over many.
 * @example
 *   import { publish } from '../publish/index.ts';
 *   const r = await publish({ registry: 'registry.example/distroless', client, archive, epoch: 0 });
 */
export * from './errors.ts';
export * from './matrix.ts';
export * from './publish.ts';
