/**
 * The detectors, tried in this order when distill.yaml does not name a `kind`. Add one line per
 * detector; the first that returns a plan wins.
 */
import type { Detector } from './types.ts';
import { nodeDetector } from './node.ts';

export const detectors: readonly Detector[] = [
  nodeDetector,
];
