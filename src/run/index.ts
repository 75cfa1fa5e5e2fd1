/** Running images with runc under the seed's hardened profile (`distill run`), and finding them again. */
export * from './errors.ts';
export * from './state.ts';
