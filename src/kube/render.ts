/**
 * Manifests as text: multi-document YAML (what `kubectl apply -f` reads), or one JSON `List`.
 * YAML is written with YAML 1.1's scalars so that kubectl's YAML 1.1 reader sees a string where
 * a string was meant (`yes`, `on`, `0123` are quoted), and with no anchors or aliases.
 */
import { Document } from 'yaml';
import type { KubeObject } from './manifest.ts';

export function toYaml(objects: readonly KubeObject[]): string {
  return objects
    .map((o) => new Document(o, { version: '1.1', aliasDuplicateObjects: false }).toString({ lineWidth: 0 }))
    .join('---\n');
}

/** A `v1 List` of the objects, as `kubectl get -o json` writes several. */
export function toJsonList(objects: readonly KubeObject[]): string {
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`;
}
