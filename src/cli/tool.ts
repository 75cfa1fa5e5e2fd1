/** distill's name and version, as SBOMs and reports credit the tool that made them. */
import { readFile } from 'node:fs/promises';
import { packagePath } from '../package-root.ts';

export interface Tool {
  name: string;
  version: string;
}

let tool: Promise<Tool> | undefined;

/** `{ name: 'distill', version }` from package.json (read once per process). */
export function distillTool(): Promise<Tool> {
  tool ??= readFile(packagePath('package.json'), 'utf8').then((text) => ({
    name: 'distill',
    version: String(JSON.parse(text).version),
  }));
  return tool;
}
