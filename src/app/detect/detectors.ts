/**
 * The detectors, tried in this order when distill.yaml does not name a `kind`. Add one line per
 * detector; the first that returns a plan wins.
 */

import type { Detector } from '../types.ts';
import { goDetector } from './go/go.ts';
import { javaDetector } from './java/java.ts';
import { nativeDetector } from './native/detect.ts';
import { nodeDetector } from './node/node.ts';
import { pythonDetector } from './python/python.ts';

export const detectors: readonly Detector[] = [
  nodeDetector,
  pythonDetector,
  javaDetector,
  goDetector,
  nativeDetector,
];
