/** What a project is: one detector per language (node/, python/, java/, go/, native/), tried in order. */
export * from './detectors.ts';
