/**
 * The native checks hook: every ELF the app brings is checked against the final image
 * (architecture, interpreter, DT_NEEDED). Implemented in src/app/native*.ts by the native-code
 * owner; until it lands this hook checks nothing and says so.
 */
import type { NativeCheck, NativeCheckInput, NativeCheckResult } from './types.ts';

/** Checks the plan's ELF files against one architecture's final image. */
export const checkNative: NativeCheck = async (input: NativeCheckInput): Promise<NativeCheckResult> => {
  return {
    addPackages: [],
    messages: input.plan.elfFiles.length
      ? [`native checks not available yet: ${input.plan.elfFiles.length} ELF file(s) not checked`]
      : [],
  };
};
