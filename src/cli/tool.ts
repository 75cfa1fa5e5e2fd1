/** distill's name and version, as SBOMs and reports credit the tool that made them. */
import { readFile } from 'node:fs/promises';

export interface Tool {
  name: string;
  version: string;
}

/** `{ name: 'distill', version }` from package.json. */
export async function distillTool(): Promise<Tool> {
  const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8'));
  return { name: 'distill', version: String(pkg.version) };
}
