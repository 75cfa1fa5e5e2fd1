/**
 * Manifest files as documents with positions: YAML (several documents, `---` between them) or
 * JSON, parsed with the `yaml` package's CST so that any field's line and column can be named.
 * Scalars are read as YAML 1.1, as kubectl's reader reads them (`yes` is true).
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';
import { KubeError } from './errors.ts';

export type Path = readonly (string | number)[];

export interface Position {
  line: number;
  col: number;
}

export interface ManifestDoc {
  file: string;
  /** 0-based index of the document in its file. */
  index: number;
  value: unknown;
  /**
   * Where `path` is: the key of the deepest field of it that the document has (a field that is
   * missing points at the object that should hold it).
   */
  locate(path: Path): Position;
}

/** Parses `text` (read from `file`); KUBE_MANIFEST_INVALID with file:line:col when it is not YAML. */
export function parseManifests(file: string, text: string): ManifestDoc[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, version: '1.1', prettyErrors: true });
  const all = Array.isArray(docs) ? docs : [];
  const out: ManifestDoc[] = [];
  for (const [index, doc] of all.entries()) {
    const err = doc.errors[0];
    if (err) {
      const p = err.linePos?.[0] ?? lc.linePos(err.pos[0]);
      throw new KubeError(
        'KUBE_MANIFEST_INVALID',
        `${file}:${p.line}:${p.col}: not YAML or JSON: ${err.message.split('\n')[0]}`,
      );
    }
    const contents = doc.contents as Node | null;
    if (contents === null || (isScalar(contents) && contents.value === null)) continue; // an empty document
    const at = (n: { range?: [number, number, number] | null } | null | undefined): Position =>
      lc.linePos(n?.range?.[0] ?? 0);
    out.push({
      file,
      index,
      value: doc.toJS({ maxAliasCount: 1000 }),
      locate(path) {
        let node: unknown = contents;
        let pos = at(contents);
        for (const seg of path) {
          if (isMap(node)) {
            const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
            if (!pair) break;
            pos = at(pair.key as Node);
            node = pair.value;
          } else if (isSeq(node) && typeof seg === 'number' && node.items[seg]) {
            node = node.items[seg];
            pos = at(node as Node);
          } else break;
        }
        return pos;
      },
    });
  }
  return out;
}
