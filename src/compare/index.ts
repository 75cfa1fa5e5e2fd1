/**
 * `distill compare`: images side by side as the seed's distroless vs Alpine vs scratch tables —
 * sizes, layers, shell, package manager, libc, runtimes, packages, setuid files, default user,
 * CVEs and findings — as text, Markdown, JSON or one self-contained HTML page.
 */
export { type CompareOptions, compareImages } from './compare.ts';
export { CompareError, type CompareErrorCode } from './errors.ts';
export {
  type Libc,
  libcOf,
  packageManagersOf,
  type Runtime,
  resolveEntry,
  runtimesOf,
  setuidFilesOf,
  shellsOf,
} from './facts.ts';
export { compareHtml } from './html.ts';
export {
  type Assessment,
  bySeverity,
  type CompareRow,
  type CveCount,
  compareRow,
  type LayerSize,
  type RowOptions,
  wantForCompare,
} from './row.ts';
export { formatSize, type TableLine, tableLines } from './table.ts';
export { compareMarkdown, compareText } from './text.ts';
export { type DefaultUser, defaultUser } from './user.ts';
export { writeReport } from './write.ts';
