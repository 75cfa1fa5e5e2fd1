/**
 * The image's Node.js major: distill.yaml's base (nodejsNN), else package.json `engines.node`,
 * else the major the native addons were built for, else the newest LTS line. Each choice says why.
 */
// The two range functions only: the whole semver package costs ~100 ms to load.
import intersects from 'semver/ranges/intersects.js';
import validRange from 'semver/ranges/valid.js';
import { NODE_MAJORS, nodeMajorStatus } from '../../../npm/index.ts';
import { AppError } from '../../errors.ts';
import { majorForAbi } from './abi.ts';

export interface MajorInput {
  base?: string | undefined;
  engines?: string | undefined;
  addons: { path: string; moduleVersion: number }[];
  /** YYYY-MM-DD. */
  today: string;
}

export interface MajorChoice {
  /** Undefined when the base is not a catalogue nodejs image (the ABI cannot be checked). */
  major?: number;
  reason: string;
  warning?: string;
}

function withStatus(major: number, reason: string, today: string): MajorChoice {
  const w = nodeMajorStatus(major, today).warning;
  return { major, reason, ...(w ? { warning: w } : {}) };
}

/** Picks the major, explaining the choice. */
export function chooseNodeMajor(i: MajorInput): MajorChoice {
  if (i.base !== undefined) {
    const m = /^nodejs(\d+)(?::|$)/.exec(i.base);
    if (m) {
      const major = Number(m[1]);
      if (!NODE_MAJORS.some((x) => x.major === major))
        throw new AppError(
          'APP_NODE_VERSION_UNSUPPORTED',
          `base ${i.base}: the Node.js images are ${NODE_MAJORS.map((x) => x.image).join(', ')}`,
        );
      return withStatus(major, `Node.js ${major}: distill.yaml base is ${i.base}`, i.today);
    }
    return {
      reason: `base ${i.base} is not a nodejsNN catalogue image: its Node.js version is not checked against addons`,
    };
  }
  if (i.engines !== undefined) {
    const range = validRange(i.engines);
    if (!range)
      throw new AppError(
        'APP_NODE_PROJECT_INVALID',
        `package.json engines.node ${JSON.stringify(i.engines)} is not a semver range`,
      );
    const fits = NODE_MAJORS.filter((x) => intersects(range, `${x.major}.x`));
    if (!fits.length)
      throw new AppError(
        'APP_NODE_VERSION_UNSUPPORTED',
        `package.json engines.node "${i.engines}" matches none of the Node.js images (${NODE_MAJORS.map((x) => x.major).join(', ')})`,
      );
    const live = fits.filter((x) => nodeMajorStatus(x.major, i.today).phase !== 'eol');
    const lts = live.filter((x) =>
      ['active-lts', 'maintenance'].includes(nodeMajorStatus(x.major, i.today).phase),
    );
    const pick = (lts.at(-1) ?? live.at(-1) ?? fits.at(-1)) as (typeof fits)[number];
    return withStatus(
      pick.major,
      `Node.js ${pick.major}: newest ${lts.length ? 'LTS ' : ''}major matching engines.node "${i.engines}"`,
      i.today,
    );
  }
  const built = [...new Set(i.addons.map((a) => a.moduleVersion))];
  if (built.length > 1)
    throw new AppError(
      'APP_NODE_ABI_CONFLICT',
      `native addons were built for different Node.js versions: ${i.addons.map((a) => `${a.path} (NODE_MODULE_VERSION ${a.moduleVersion})`).join(', ')}; reinstall them with one Node.js (\`npm ci\`)`,
    );
  if (built.length === 1) {
    const abi = built[0] as number;
    const major = majorForAbi(abi);
    if (major === undefined)
      throw new AppError(
        'APP_NODE_VERSION_UNSUPPORTED',
        `native addons were built for NODE_MODULE_VERSION ${abi}, which none of the Node.js images (${NODE_MAJORS.map((x) => x.major).join(', ')}) has; rebuild them with one of those (\`npm ci\`) or set base:`,
      );
    return withStatus(
      major,
      `Node.js ${major}: the native addons were built for it (NODE_MODULE_VERSION ${abi})`,
      i.today,
    );
  }
  const lts = NODE_MAJORS.filter((x) => nodeMajorStatus(x.major, i.today).phase === 'active-lts').at(-1);
  const pick =
    lts ??
    (NODE_MAJORS.filter((x) => nodeMajorStatus(x.major, i.today).phase !== 'eol').at(
      -1,
    ) as (typeof NODE_MAJORS)[number]);
  return withStatus(
    pick.major,
    `Node.js ${pick.major}: the active LTS line (no base, engines.node or native addons say otherwise)`,
    i.today,
  );
}
