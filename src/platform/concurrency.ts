/**
 * Bounded concurrency, in one place: `eachLimit` runs a function over a list with at most N at
 * once (the registry's parallel blob uploads, the downloader's workers), and `limiter` caps how
 * many tasks submitted at any time run together (one decompressor per CPU).
 */

/**
 * Runs `fn(item, index)` over `items` with at most `jobs` at once. The first failure stops new
 * work and rejects once the running ones have settled (no unhandled rejection is left behind).
 */
export async function eachLimit<T>(
  items: readonly T[],
  jobs: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  let error: unknown;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        await fn(items[i] as T, i);
      } catch (e) {
        if (!failed) error = e;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  if (failed) throw error;
}

/**
 * A gate: the task passed to the returned function waits until fewer than `n` are running. A
 * finishing task hands its slot straight to the first waiter, so a task arriving at that moment
 * cannot take it too (which would run n + 1).
 */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r));
    else active++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
