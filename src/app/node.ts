/** Placeholder replaced in the next commit: the Node detector. */
import type { Detector } from './types.ts';

export const nodeDetector: Detector = {
  name: 'node',
  looksFor: 'package.json',
  detect: async () => undefined,
};
