/** What `auditImage` reports: the image, its findings, and the facts `distill compare` tabulates. */
import type { Finding, ImageFiles, Inventory, LayerSummary, Severity } from '../scan/index.ts';
import type { VulnReport } from '../vulns/index.ts';

/** The image's default user, as the runtime would resolve it. */
export interface DefaultUser {
  /** `Config.User` as written (`""` when unset). */
  readonly raw: string;
  /** The uid it resolves to; undefined when a name is not in the image's /etc/passwd. */
  readonly uid?: number;
  /** True for uid 0, an unset user, or `root`. */
  readonly root: boolean;
  /** How it was resolved: `unset`, `numeric`, `passwd` (/etc/passwd), `builtin` (root/nonroot), `unknown`. */
  readonly how: 'unset' | 'numeric' | 'passwd' | 'builtin' | 'unknown';
}

export interface AuditReport {
  /** What the user named (`oci:out/x`), when the caller knows it. */
  readonly reference?: string;
  /** The image manifest's digest. */
  readonly digest: string;
  /** `linux/amd64`. */
  readonly platform: string;
  readonly user: DefaultUser;
  /** True for a distroless-style debug image (busybox under /busybox). */
  readonly debug: boolean;
  /** Sorted by severity, then id, then path. */
  readonly findings: readonly Finding[];
  /** Findings per severity, expected ones excluded. */
  readonly counts: Readonly<Record<Severity, number>>;
  /** Bytes a later layer hid (each shipped copy once). */
  readonly wastedBytes: number;
  readonly layers: readonly LayerSummary[];
  readonly inventory: Inventory;
  /** Present when a vulnerability database was given. */
  readonly vulns?: VulnReport;
}

/** What one check sees: the scan, the config, and what was worked out before it. */
export interface AuditContext {
  readonly files: ImageFiles;
  readonly env: readonly string[];
  readonly entrypoint: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly volumes: readonly string[];
  readonly user: DefaultUser;
  readonly debug: boolean;
}
