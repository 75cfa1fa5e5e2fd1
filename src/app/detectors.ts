/**
 * The detectors, tried in this order when distill.yaml does not name a `kind`. Add one line per
 * detector; the first that returns a plan wins.
 */

import { goDetector } from './go.ts';
import { javaDetector } from './java.ts';
import { nativeDetector } from './native-detect.ts';
import { nodeDetector } from './node.ts';
import { pythonDetector } from './python.ts';
import type { Detector } from './types.ts';

export const detectors: readonly Detector[] = [
  nodeDetector,
  pythonDetector,
  javaDetector,
  goDetector,
  nativeDetector,
];
