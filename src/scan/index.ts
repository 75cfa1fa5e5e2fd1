/** Reading any image without running it: its final file tree, chosen files' bytes, what it hides. */

export * from './inventory/index.ts';
export * from './scan.ts';
export * from './types.ts';
