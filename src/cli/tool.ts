/** distill's name and version, as SBOMs and reports credit the tool that made them. */
import { readFile } from 'node:fs/promises';
import { packagePath } from '../package-root.ts';

export interface Tool {
  name: string;
  version: string;
}

/** `{ name: 'distill', version }` from package.json. */
export async function distillTool(): Promise<Tool> {
  const pkg = JSON.parse(await readFile(packagePath('package.json'), 'utf8'));
  return { name: 'distill', version: String(pkg.version) };
}
