/**
 * Responsive cancellation of long compute loops.
 *
 * @module
 */

/**
 * Whether `signal` is aborted, checked after letting the event loop run once. A loop of
 * in-thread ORT-web steps settles through microtasks only, so without this yield a SIGINT
 * listener (which aborts the signal) would not run until the loop next did real I/O, e.g.
 * only at the end of an epoch. Costs about a millisecond per call; without a signal, nothing.
 *
 * @example
 * ```ts
 * import { abortedNow } from "./abort.ts";
 * const c = new AbortController();
 * setTimeout(() => c.abort(), 0);
 * console.assert(await abortedNow(c.signal));
 * ```
 */
export async function abortedNow(signal?: AbortSignal): Promise<boolean> {
  if (!signal) return false;
  await new Promise((resolve) => setTimeout(resolve, 0));
  return signal.aborted;
}
