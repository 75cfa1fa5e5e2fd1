/** Reading zip archives held in memory (jars, wheels): a leaf: it imports only node and coded-error.ts. */
export * from './reader.ts';
