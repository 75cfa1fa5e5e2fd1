/**
 * `distill audit`: what an image lets an attacker do, read from its files and config without
 * running it — shells, package managers, network tools, unneeded interpreters, setuid files,
 * world-writable paths, the default user, secrets, hidden bytes, the read-only root — and,
 * with a vulnerability database, its Debian packages' open CVEs.
 */
export {
  type AuditOptions,
  auditImage,
  auditScan,
  countFindings,
  sortFindings,
  wantForAudit,
} from './audit.ts';
export { expectedFamily, PACKAGE_MANAGERS, resolveLink, SHELLS } from './binaries.ts';
export { AuditError, type AuditErrorCode } from './errors.ts';
export { auditJson, failsAt, seedPolicyViolations } from './report-json.ts';
export { auditSarif, RULES, type SarifTool } from './sarif.ts';
export { envFindings } from './secrets.ts';
export type { AuditReport, DefaultUser } from './types.ts';
export { parsePasswd, resolveUser } from './user.ts';
