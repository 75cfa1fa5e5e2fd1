/**
 * `distill kube lint FILE...`: every pod spec in the manifests (Pods, workloads' pod templates,
 * CronJobs' job templates, List items; containers, init and ephemeral containers) checked against
 * the Pod Security Standards' baseline and restricted controls and the seed's profile. Each
 * finding names its rule as the standard does and the file:line:col of the offending field.
 */
import { readFile as nodeReadFile } from 'node:fs/promises';
import { type ManifestDoc, type Path, parseManifests } from './documents.ts';
import { KubeError } from './errors.ts';
import { podTargets, rec } from './pod-specs.ts';
import { RULES } from './rules/all.ts';
import type { Level, Rule } from './rules/types.ts';

export interface LintFinding {
  file: string;
  line: number;
  col: number;
  /** The control's name as the standard writes it (`Running as Non-root`). */
  rule: string;
  id: string;
  level: Level;
  /** `Deployment/web`: the object that holds the pod spec. */
  object: string;
  container?: string;
  /** The field, as a path in the document (`spec.template.spec.containers[0].image`). */
  field: string;
  message: string;
}

export interface LintReport {
  files: string[];
  /** Pod specs checked. */
  pods: number;
  findings: LintFinding[];
  /** Documents that are not Kubernetes objects (no apiVersion/kind), skipped. */
  warnings: string[];
}

/** `spec.containers[0].securityContext`. */
export function formatPath(path: Path): string {
  return path.reduce<string>(
    (s, seg) =>
      typeof seg === 'number'
        ? `${s}[${seg}]`
        : /^[\w-]+$/.test(seg)
          ? s
            ? `${s}.${seg}`
            : seg
          : `${s}["${seg}"]`,
    '',
  );
}

/** Lints parsed documents with `rules` (all of them by default). */
export function lintDocuments(docs: readonly ManifestDoc[], rules: readonly Rule[] = RULES): LintReport {
  const findings: LintFinding[] = [];
  const warnings: string[] = [];
  const files = new Set<string>();
  let pods = 0;
  for (const doc of docs) {
    files.add(doc.file);
    const v = doc.value;
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      throw new KubeError(
        'KUBE_MANIFEST_INVALID',
        `${doc.file}: document ${doc.index + 1} is not an object (a Kubernetes manifest is a mapping with apiVersion and kind)`,
      );
    const o = rec(v);
    if (typeof o.kind !== 'string' || typeof o.apiVersion !== 'string') {
      const p = doc.locate([]);
      warnings.push(
        `${doc.file}:${p.line}:${p.col}: document ${doc.index + 1} has no apiVersion and kind: skipped`,
      );
      continue;
    }
    for (const pod of podTargets(o)) {
      pods++;
      for (const rule of rules)
        for (const violation of rule.check(pod)) {
          const { line, col } = doc.locate(violation.path);
          findings.push({
            file: doc.file,
            line,
            col,
            rule: rule.name,
            id: rule.id,
            level: rule.level,
            object: `${pod.kind}/${pod.name}`,
            ...(violation.container !== undefined ? { container: violation.container } : {}),
            field: formatPath(violation.path),
            message: violation.message,
          });
        }
    }
  }
  findings.sort((a, b) => (a.file === b.file ? a.line - b.line || a.col - b.col : 0));
  return { files: [...files], pods, findings, warnings };
}

export interface LintFileOptions {
  /** Reads a file (default: node's); `-` is standard input. */
  readFile?: (file: string) => Promise<string>;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads and lints `files`. Every file is read and parsed before any is linted. */
export async function lintFiles(files: readonly string[], o: LintFileOptions = {}): Promise<LintReport> {
  const read = o.readFile ?? ((f: string) => (f === '-' ? readStdin() : nodeReadFile(f, 'utf8')));
  const docs: ManifestDoc[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await read(file);
    } catch (err) {
      throw new KubeError(
        'KUBE_MANIFEST_UNREADABLE',
        `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        { cause: err },
      );
    }
    docs.push(...parseManifests(file === '-' ? '<stdin>' : file, text));
  }
  const report = lintDocuments(docs);
  return { ...report, files: files.map((f) => (f === '-' ? '<stdin>' : f)) };
}
