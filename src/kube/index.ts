/**
 * `distill kube`: Kubernetes manifests for an image with the seed's securityContext
 * (generate.ts, manifest.ts), and a linter for any manifest against the Pod Security Standards
 * and the seed's profile (lint.ts, rules/).
 */
export { type ManifestDoc, type Path, type Position, parseManifests } from './documents.ts';
export { KubeError, type KubeErrorCode } from './errors.ts';
export {
  type CheckedKubeOptions,
  checkKubeOptions,
  DEFAULT_REQUESTS,
  type KubeOptions,
  type KubeResult,
  kubeManifests,
} from './generate.ts';
export { type ImageFacts, type ImageUser, imageFacts, parsePort, userOf } from './image-facts.ts';
export {
  formatPath,
  type LintFinding,
  type LintReport,
  lintDocuments,
  lintFiles,
} from './lint.ts';
export { lintJson, lintSarif, lintText } from './lint-report.ts';
export { type KubeObject, type ManifestOptions, manifests, securityContexts } from './manifest.ts';
export { isDns1035, labelOf, nameHint, objectName } from './names.ts';
export { type PodTarget, podTargets } from './pod-specs.ts';
export { toJsonList, toYaml } from './render.ts';
export { RULES } from './rules/all.ts';
export type { Level, Rule, Violation } from './rules/types.ts';
