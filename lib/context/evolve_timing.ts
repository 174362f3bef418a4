/**
 * The runtime-evolution latency (the paper's headline "at most 6.2 ms"), measured in a warm
 * process as the user would pay it on a context change: search, then derive the weights and get a
 * ready session. Three paths, each over `repeat` runs:
 *
 * - `uncached`: nothing cached: BN statistics measured now, session created now;
 * - `bnCached`: the configuration's BN statistics cached (it was materialized once before, the
 *   DESIGN.md §3 steady state), session created now;
 * - `sessionCached`: the configuration's session still held by the evolver (seen recently).
 *
 * @module
 */
import { summarize } from "../supernet/evolve.ts";
import type { SearchResult } from "../search/types.ts";
import type { LiveEvolver } from "./evolve_live.ts";

/** Median and p99 (nearest rank) of a set of timings. */
export interface Spread {
  readonly median: number;
  readonly p99: number;
}

/** Measured timings of {@link measureRuntimeEvolution} (all measured here). */
export interface EvolutionTiming {
  readonly repeat: number;
  readonly id: string;
  /** Search alone, microseconds. */
  readonly searchUs: Spread;
  /** Search + evolution, milliseconds, per path (see the module doc). */
  readonly uncachedMs: Spread;
  readonly bnCachedMs: Spread;
  readonly sessionCachedMs: Spread;
}

function spread(xs: readonly number[]): Spread {
  const s = summarize(xs);
  return { median: s.median, p99: s.p99 };
}

/**
 * Time search + evolution `repeat` times per path after `warmup` untimed rounds (default 2).
 *
 * @example
 * ```ts ignore
 * import { measureRuntimeEvolution } from "./evolve_timing.ts";
 * // evolver: a LiveEvolver; searchOnce: () => search(space, predictor, constraints, objective, opts)
 * const t = await measureRuntimeEvolution(evolver, searchOnce, 20);
 * console.log(t.bnCachedMs.median, t.sessionCachedMs.p99);
 * ```
 */
export async function measureRuntimeEvolution(
  evolver: LiveEvolver,
  searchOnce: () => SearchResult,
  repeat: number,
  warmup = 2,
): Promise<EvolutionTiming> {
  const search: number[] = [], uncached: number[] = [], bn: number[] = [], session: number[] = [];
  let id = "";
  for (let i = 0; i < warmup + repeat; i++) {
    const t0 = performance.now();
    const r = searchOnce();
    const searchMs = performance.now() - t0;
    id = r.id;
    const a = await evolver.materialize(r.config, r.id, { freshSession: true, refreshBn: true });
    const b = await evolver.materialize(r.config, r.id, { freshSession: true });
    const c = await evolver.materialize(r.config, r.id);
    if (i < warmup) continue;
    search.push(searchMs * 1000);
    uncached.push(searchMs + a.record.ms);
    bn.push(searchMs + b.record.ms);
    session.push(searchMs + c.record.ms);
  }
  return {
    repeat,
    id,
    searchUs: spread(search),
    uncachedMs: spread(uncached),
    bnCachedMs: spread(bn),
    sessionCachedMs: spread(session),
  };
}
