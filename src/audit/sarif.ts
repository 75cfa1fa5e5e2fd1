/**
 * SARIF 2.1.0 for code-scanning UIs: one run for all images, one rule per finding id, one result
 * per finding. Levels as dockle maps them (critical/high → error, medium → warning, low/info →
 * note); expected findings are `suppressions` of kind `external` with the reason, so they show but
 * do not fail. A result's location is the image (an artifact URI, `oci:DIR` or a registry ref)
 * plus the path inside it as a logical location, since no source file holds it.
 */
import type { Finding, Severity } from '../scan/index.ts';
import type { AuditReport } from './types.ts';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};
/** GitHub's security-severity scale (0–10) per severity. */
const SCORE: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

export interface SarifTool {
  name: string;
  version: string;
  informationUri?: string;
}

/** One line per rule, for the rule list (a finding's own title names its path and details). */
export const RULES: Record<string, string> = {
  'DL-SHELL': 'A shell is in the image',
  'DL-BUSYBOX': 'busybox (a toolbox of applets) is in the image',
  'DL-PACKAGE-MANAGER': 'A package manager is in the image',
  'DL-NETWORK-TOOL': 'A network tool (curl, wget, nc, ssh, …) is in the image',
  'DL-INTERPRETER': 'An interpreter the image does not run on',
  'DL-SETUID': 'A setuid file',
  'DL-SETGID': 'A setgid file',
  'DL-WORLD-WRITABLE': 'A world-writable file or directory outside the temp dirs',
  'DL-USER-ROOT': 'The default user is root or unset',
  'DL-USER-UNKNOWN': "The default user is not in the image's /etc/passwd",
  'DL-USER-NAMED': 'The default user is a name, not a number',
  'DL-SECRET-FILE': 'A file that looks like a secret',
  'DL-SECRET-ENV': 'An ENV variable that looks like a secret',
  'DL-HIDDEN-FILES': 'Files hidden by a later layer (wasted bytes)',
  'DL-WRITABLE-DECLARED': 'A declared writable directory (needs a volume with a read-only root)',
  'DL-WRITABLE-UNDECLARED': 'A directory the runtime user may write, not declared writable',
};

const ruleTitle = (f: Finding) => RULES[f.id] ?? f.title;

export function auditSarif(reports: readonly AuditReport[], tool: SarifTool): Record<string, unknown> {
  const rules = new Map<string, { f: Finding; severity: Severity }>();
  for (const r of reports)
    for (const f of r.findings) {
      const seen = rules.get(f.id);
      if (!seen || SCORE[f.severity] > SCORE[seen.severity]) rules.set(f.id, { f, severity: f.severity });
    }
  const ids = [...rules.keys()].sort();
  const results = reports.flatMap((r) =>
    r.findings.map((f) => ({
      ruleId: f.id,
      ruleIndex: ids.indexOf(f.id),
      level: LEVEL[f.severity],
      message: {
        text: `${f.title}${f.path ? ` at ${f.path}` : ''} in ${r.reference ?? r.digest}. ${f.hint}`,
      },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: imageUri(r) } },
          logicalLocations: [
            {
              name: f.path ?? 'image config',
              fullyQualifiedName: `${r.reference ?? r.digest}${f.path ?? ''}`,
              kind: f.path ? 'resource' : 'object',
            },
          ],
        },
      ],
      partialFingerprints: { 'distill/v1': `${r.digest}:${f.id}:${f.path ?? ''}` },
      properties: {
        severity: f.severity,
        image: r.reference ?? r.digest,
        digest: r.digest,
        platform: r.platform,
        ...(f.layer !== undefined ? { layer: f.layer } : {}),
      },
      ...(f.expected ? { suppressions: [{ kind: 'external', justification: f.hint }] } : {}),
    })),
  );
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: tool.name,
            version: tool.version,
            ...(tool.informationUri ? { informationUri: tool.informationUri } : {}),
            rules: ids.map((id) => {
              const { f, severity } = rules.get(id) as { f: Finding; severity: Severity };
              return {
                id,
                name: id
                  .replace(/^DL-/, '')
                  .toLowerCase()
                  .replace(/(^|-)(\w)/g, (_, _d, c: string) => c.toUpperCase()),
                shortDescription: { text: ruleTitle(f) },
                help: { text: f.hint },
                defaultConfiguration: { level: LEVEL[severity] },
                properties: { 'security-severity': SCORE[severity], tags: ['security', 'container'] },
              };
            }),
          },
        },
        results,
      },
    ],
  };
}

/** The image a finding is in, as an artifact URI. */
function imageUri(r: AuditReport): string {
  const ref = r.reference ?? r.digest;
  return encodeURI(ref).replace(/#/g, '%23');
}
