/**
 * `distill kube lint`'s outputs: compiler-style lines (`FILE:LINE:COL: level Rule: message`),
 * the report as JSON, and SARIF 2.1.0 with each finding at its file, line and column (code
 * scanning shows them on the manifest). Pod Security violations are errors, the seed's warnings.
 */
import type { LintReport } from './lint.ts';
import { RULES } from './rules/all.ts';

/** One line per finding, then a summary line. */
export function lintText(r: LintReport): string[] {
  const lines = r.findings.map(
    (f) => `${f.file}:${f.line}:${f.col}: ${f.level} ${f.rule}: ${f.message} (${f.object}, ${f.field})`,
  );
  const by = (l: string) => r.findings.filter((f) => f.level === l).length;
  lines.push(
    r.findings.length
      ? `${r.findings.length} finding(s) in ${r.pods} pod spec(s): ${by('baseline')} baseline, ${by('restricted')} restricted, ${by('seed')} seed profile`
      : `${r.pods} pod spec(s) in ${r.files.length} file(s): no findings (Pod Security Standards restricted and the seed's profile)`,
  );
  return lines;
}

export function lintJson(r: LintReport): Record<string, unknown> {
  const counts = { baseline: 0, restricted: 0, seed: 0 };
  for (const f of r.findings) counts[f.level]++;
  return { files: r.files, pods: r.pods, counts, findings: r.findings, warnings: r.warnings };
}

export function lintSarif(r: LintReport, tool: { name: string; version: string }): Record<string, unknown> {
  const rules = RULES.map((rule) => ({
    id: rule.id,
    name: rule.name,
    shortDescription: {
      text: `${rule.name} (${rule.level === 'seed' ? "seed's profile" : `Pod Security Standards, ${rule.level}`})`,
    },
    fullDescription: { text: rule.summary },
    ...(rule.level === 'seed'
      ? {}
      : { helpUri: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/' }),
    defaultConfiguration: { level: rule.level === 'seed' ? 'warning' : 'error' },
  }));
  const results = r.findings.map((f) => ({
    ruleId: f.id,
    ruleIndex: RULES.findIndex((rule) => rule.id === f.id),
    level: f.level === 'seed' ? 'warning' : 'error',
    message: { text: `${f.rule}: ${f.message} (${f.object}, ${f.field})` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(f.file) },
          region: { startLine: f.line, startColumn: f.col },
        },
      },
    ],
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: tool.name, version: tool.version, rules } }, results }],
  };
}
