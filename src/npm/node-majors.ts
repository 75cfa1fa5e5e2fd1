/**
 * The Node.js majors distill builds images for (nodejs20, nodejs22, nodejs24, nodejs26), with the
 * dates of Node's release schedule (nodejs/Release schedule.json). Past `end` a major is
 * end-of-life: its image still builds, with a warning, so existing users can move at their pace.
 */
import { NpmError } from './errors.ts';

export interface NodeMajor {
  major: number;
  /** Catalogue image name. */
  image: string;
  codename?: string;
  /** YYYY-MM-DD dates from the release schedule. */
  start: string;
  lts?: string;
  maintenance: string;
  end: string;
}

/** The majors with images, oldest first. */
export const NODE_MAJORS: readonly NodeMajor[] = [
  {
    major: 20,
    image: 'nodejs20',
    codename: 'Iron',
    start: '2023-04-18',
    lts: '2023-10-24',
    maintenance: '2024-10-22',
    end: '2026-04-30',
  },
  {
    major: 22,
    image: 'nodejs22',
    codename: 'Jod',
    start: '2024-04-24',
    lts: '2024-10-29',
    maintenance: '2025-10-21',
    end: '2027-04-30',
  },
  {
    major: 24,
    image: 'nodejs24',
    codename: 'Krypton',
    start: '2025-05-06',
    lts: '2025-10-28',
    maintenance: '2026-10-20',
    end: '2028-04-30',
  },
  {
    major: 26,
    image: 'nodejs26',
    start: '2026-05-05',
    lts: '2026-10-28',
    maintenance: '2027-10-20',
    end: '2029-04-30',
  },
];

export type NodeMajorPhase = 'current' | 'active-lts' | 'maintenance' | 'eol';

export interface NodeMajorStatus {
  major: NodeMajor;
  phase: NodeMajorPhase;
  /** Set when the major is end-of-life: what to tell the user. */
  warning?: string;
}

/** The table entry for `major`, or NODE_MAJOR_UNSUPPORTED naming the ones that exist. */
export function nodeMajor(major: number): NodeMajor {
  const m = NODE_MAJORS.find((x) => x.major === major);
  if (!m)
    throw new NpmError(
      'NODE_MAJOR_UNSUPPORTED',
      `there is no nodejs${major} image; the Node.js majors are ${NODE_MAJORS.map((x) => x.major).join(', ')}`,
    );
  return m;
}

/** Where `major` is in its life on `today` (YYYY-MM-DD, passed in: the clock is an effect). */
export function nodeMajorStatus(major: number, today: string): NodeMajorStatus {
  const m = nodeMajor(major);
  if (today > m.end) {
    const live = NODE_MAJORS.filter((x) => today <= x.end).map((x) => x.image);
    return {
      major: m,
      phase: 'eol',
      warning: `Node.js ${m.major} reached end-of-life on ${m.end} and gets no more security fixes${live.length ? `; move to ${live.join(', ')}` : ''}`,
    };
  }
  if (today >= m.maintenance) return { major: m, phase: 'maintenance' };
  if (m.lts && today >= m.lts) return { major: m, phase: 'active-lts' };
  return { major: m, phase: 'current' };
}

/** Today's date as YYYY-MM-DD in UTC, from an injected clock. */
export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
