/**
 * Measure search latencies and the optimality distribution on mnist's space (576,000
 * configurations) with the synthetic additive predictor. Not a test (no thresholds: timings
 * depend on the machine and its load); run it by hand:
 *
 *     node_modules/.bin/deno run -A tests/search/measure.ts [contexts=200]
 *
 * "wall" timings use performance.now(); "cpu" timings use the process's CPU time
 * (process.cpuUsage), which leaves out time the scheduler gave to other processes.
 *
 * @module
 */
import process from "node:process";
import { loadTaskConfig } from "../../lib/config/task.ts";
import { mapContext } from "../../lib/context/constraints.ts";
import * as S from "../../lib/search/mod.ts";
import { configAt, createSearchSpace, spaceSize } from "../../lib/supernet/mod.ts";
import { createRng } from "../../lib/util/rng.ts";

const contextsArg = Number(Deno.args[0] ?? 200);
const cpuClock = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const space = createSearchSpace((await loadTaskConfig("mnist")).config);
const p = S.syntheticPredictor(space, 0);
const range = S.energyRangeOf(space, p);
let t0 = performance.now();
const cols = S.predictSpace(space, p);
const tPredict = performance.now() - t0;
t0 = performance.now();
const front = S.nonDominated(cols, cols.accuracy.length);
const tFront = performance.now() - t0;
const pareto = S.buildParetoIndex(front.map((i) => ({
  config: configAt(space, i),
  metrics: {
    accuracy: cols.accuracy[i],
    latencyMs: cols.latencyMs[i],
    energyMj: cols.energyMj[i],
    bytes: cols.bytes[i],
  },
})));
console.log(
  `space ${spaceSize(space)} configs; predictSpace ${tPredict.toFixed(0)} ms; ` +
    `Pareto front ${front.length} points in ${tFront.toFixed(0)} ms`,
);
const big = p.predict(S.decodeConfig(space, new Uint8Array(space.blocks.length + 1), 0));
const rng = createRng(7);
const contexts = Array.from({ length: 500 }, () =>
  mapContext(
    S.randomContext(rng, {
      latencyMs: [0.27, big.latencyMs],
      bytes: [4066, big.bytes],
      accuracy: big.accuracy,
    }),
    range,
  ));
const cases: [string, S.SearchOptions, number][] = [
  [`pareto (${pareto.points.length} points)`, { pareto }, 2000],
  ["evolution (default: 5 ms, 2000 evaluations)", { algorithm: "evolution" }, 200],
  ["greedy (default budget)", { algorithm: "greedy" }, 200],
  ["random (default budget)", { algorithm: "random" }, 200],
  ["exhaustive (batch predict + scan)", { algorithm: "exhaustive" }, 20],
  ["exhaustive (precomputed metrics)", { algorithm: "exhaustive", spaceMetrics: cols }, 20],
];
for (const [name, opts, runs] of cases) {
  for (const [clockName, clock] of [["wall", undefined], ["cpu", cpuClock]] as const) {
    const s = S.measureLatency((i) => {
      const c = contexts[i % contexts.length];
      return S.search(space, p, c.constraints, c.objective, opts);
    }, { runs, warmup: Math.min(20, runs), clock });
    console.log(
      `${name} [${clockName}]: p50 ${s.p50Us.toFixed(0)} us, p99 ${s.p99Us.toFixed(0)} us, ` +
        `max ${s.maxUs.toFixed(0)} us (${runs} runs)`,
    );
  }
}
const experiments: [string, S.SearchOptions][] = [
  ["pareto (true front)", { pareto }],
  ["evolution default (5 ms, 2000 evaluations)", {}],
  ["evolution, 2000 evaluations, no time limit", { timeBudgetMs: Infinity }],
  ["greedy, 2000 evaluations, no time limit", { algorithm: "greedy", timeBudgetMs: Infinity }],
  ["random, 2000 evaluations, no time limit", { algorithm: "random", timeBudgetMs: Infinity }],
];
for (const [name, options] of experiments) {
  const { summary: s } = S.optimalityExperiment(space, p, {
    contexts: contextsArg,
    seed: 1,
    options,
  });
  const f = (x: number) => x.toFixed(5);
  console.log(
    `optimality, ${name}: ${s.contexts} contexts, ${s.feasible} feasible, ` +
      `${s.answeredFeasible} answered feasibly, ${s.optimal} optimal; gap p50 ${f(s.gapP50)} ` +
      `p95 ${f(s.gapP95)} max ${f(s.gapMax)}; mean ratio ${f(s.meanRatio)}`,
  );
}
