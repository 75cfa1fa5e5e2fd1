/**
 * `auditImage`: one streaming scan of the image (its layers read once), then pure checks on the
 * final tree and config. What it keeps in memory: the file tree's metadata and the bytes of a few
 * small files (passwd, os-release, package records, secret candidates).
 */
import { formatPlatform, type Image, platformOf } from '../oci/index.ts';
import {
  type ContentReducer,
  type Finding,
  type ImageFiles,
  type InventoryWarning,
  inventory,
  SEVERITIES,
  type Severity,
  scanImage,
  wantForInventory,
} from '../scan/index.ts';
import { matchVulns, type VulnDb } from '../vulns/index.ts';
import { binaryFindings } from './binaries.ts';
import { hiddenFindings, wastedBytes } from './hidden.ts';
import { setuidFindings, worldWritableFindings, writableRootFindings } from './permissions.ts';
import { envFindings, secretFileFindings, wantSecretFile } from './secrets.ts';
import type { AuditContext, AuditReport } from './types.ts';
import { resolveUser, userFindings } from './user.ts';

export interface AuditOptions {
  /** The name the user gave, echoed in the report. */
  reference?: string;
  /** Debian's security tracker data: adds `vulns` to the report. */
  vulnDb?: VulnDb;
  onWarning?: (w: InventoryWarning) => void;
}

const ACCOUNT_FILES = new Set(['/etc/passwd', '/etc/group']);

/** The scan's `want` for an audit: the inventory's files, the account files, secret candidates. */
export function wantForAudit(path: string, size: number): boolean | ContentReducer {
  const inv = wantForInventory(path, size);
  if (inv) return inv;
  return ACCOUNT_FILES.has(path) || wantSecretFile(path, size);
}

/** Scans `image` once (layers streamed) and audits it. */
export async function auditImage(image: Image, o: AuditOptions = {}): Promise<AuditReport> {
  return auditScan(image, await scanImage(image, { want: wantForAudit }), o);
}

/**
 * Audits a scan already made (with a `want` that keeps at least what wantForAudit keeps), so a
 * caller that needs other files too (`distill compare`) reads the layers only once.
 */
export function auditScan(image: Image, files: ImageFiles, o: AuditOptions = {}): AuditReport {
  const c = image.config.config ?? {};
  const resolved = resolveUser(c.User, files);
  const debug =
    files.files.get('/busybox/busybox')?.type === 'file' || (c.Entrypoint?.[0] ?? '').startsWith('/busybox/');
  const ctx: AuditContext = {
    files,
    env: c.Env ?? [],
    entrypoint: c.Entrypoint?.length ? c.Entrypoint : (c.Cmd ?? []),
    labels: c.Labels ?? {},
    volumes: Object.keys(c.Volumes ?? {}),
    user: resolved.user,
    debug,
  };
  const findings = sortFindings([
    ...userFindings(resolved.user),
    ...binaryFindings(ctx),
    ...setuidFindings(ctx),
    ...worldWritableFindings(ctx),
    ...writableRootFindings(ctx, resolved.home, resolved.gid),
    ...secretFileFindings(ctx),
    ...envFindings(ctx.env),
    ...hiddenFindings(files.hidden),
  ]);
  const inv = inventory(files, o.onWarning ? { onWarning: o.onWarning } : {});
  return {
    ...(o.reference !== undefined ? { reference: o.reference } : {}),
    digest: image.descriptor.digest,
    platform: formatPlatform(image.descriptor.platform ?? platformOf(image.config)),
    user: resolved.user,
    debug,
    findings,
    counts: countFindings(findings),
    wastedBytes: wastedBytes(files.hidden),
    layers: files.layers,
    inventory: inv,
    ...(o.vulnDb ? { vulns: matchVulns(inv, o.vulnDb) } : {}),
  };
}

const rank = (s: Severity) => SEVERITIES.indexOf(s);
const cmp = (a = '', b = '') => (a < b ? -1 : a > b ? 1 : 0);

export function sortFindings(fs: Finding[]): Finding[] {
  return fs.sort(
    (a, b) =>
      rank(a.severity) - rank(b.severity) || cmp(a.id, b.id) || cmp(a.path, b.path) || cmp(a.title, b.title),
  );
}

/** Findings per severity; expected findings are not counted. */
export function countFindings(fs: readonly Finding[]): Record<Severity, number> {
  const out = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of fs) if (!f.expected) out[f.severity]++;
  return out;
}
