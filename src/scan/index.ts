/** Reading any image without running it: its final file tree, chosen files' bytes, what it hides. */
export * from './scan.ts';
export * from './types.ts';
