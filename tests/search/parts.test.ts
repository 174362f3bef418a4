import assert from "node:assert/strict";
import { enumerateConfigs } from "../../lib/supernet/enumerate.ts";
import { createRng } from "../../lib/util/rng.ts";
import {
  buildParetoIndex,
  decodeConfig,
  digitWidth,
  encodeConfig,
  measureLatency,
  metricsColumns,
  nonDominated,
  objectiveValue,
  optimalityExperiment,
  paretoSetOf,
  type Predictor,
  predictSpace,
  quantile,
  syntheticPredictor,
  Tracker,
  violations,
} from "../../lib/search/mod.ts";
import type { SubnetConfig } from "../../lib/supernet/space.ts";
import { smallSpace } from "./fixtures.ts";

const space = smallSpace();

Deno.test("digits round-trip and the batch predictor equals the single one", () => {
  const p = syntheticPredictor(space, 2);
  const all = [...enumerateConfigs(space)];
  const digits = new Uint8Array(all.length * digitWidth(space));
  all.forEach((c, r) => encodeConfig(space, c, digits, r));
  const cols = metricsColumns(all.length);
  p.predictBatch(digits, all.length, cols);
  const spaceCols = predictSpace(space, p);
  all.forEach((c, r) => {
    assert.deepEqual(decodeConfig(space, digits, r), c);
    const m = p.predict(c);
    assert.equal(cols.accuracy[r], m.accuracy);
    assert.equal(cols.energyMj[r], m.energyMj);
    assert.equal(spaceCols.latencyMs[r], m.latencyMs);
    assert.equal(spaceCols.bytes[r], m.bytes);
  });
});

Deno.test("nonDominated matches a quadratic check on random points with ties", () => {
  const rng = createRng(3);
  const n = 300;
  const cols = metricsColumns(n);
  for (let i = 0; i < n; i++) {
    // Coarse values so that ties and duplicates occur.
    cols.accuracy[i] = rng.int(10);
    cols.latencyMs[i] = rng.int(10);
    cols.energyMj[i] = rng.int(10);
    cols.bytes[i] = rng.int(10);
  }
  const dominates = (j: number, i: number) =>
    cols.accuracy[j] >= cols.accuracy[i] && cols.latencyMs[j] <= cols.latencyMs[i] &&
    cols.energyMj[j] <= cols.energyMj[i] && cols.bytes[j] <= cols.bytes[i];
  const front = new Set(nonDominated(cols, n));
  for (let i = 0; i < n; i++) {
    const dominated = [...Array(n).keys()].some((j) =>
      j !== i && dominates(j, i) && (!dominates(i, j) || j < i)
    );
    assert.equal(front.has(i), !dominated, `point ${i}`);
  }
});

Deno.test("quantiles and latency summaries", () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2);
  assert.equal(quantile([1, 2, 3, 4], 0.99), 4);
  let now = 0;
  const s = measureLatency(() => (now += 0.002), { runs: 50, warmup: 0, clock: () => now });
  assert.equal(s.runs, 50);
  assert.ok(s.p50Us <= s.p99Us && s.p99Us <= s.maxUs);
});

Deno.test("optimality experiment: Pareto lookup is exact, a tiny random search is not always", () => {
  const p = syntheticPredictor(space, 4);
  const all = [...enumerateConfigs(space)];
  const pareto = buildIndex(p, all);
  const exact = optimalityExperiment(space, p, { contexts: 60, options: { pareto } });
  assert.equal(exact.summary.contexts, 60);
  assert.ok(exact.summary.feasible > 10);
  assert.equal(exact.summary.answeredFeasible, exact.summary.feasible);
  assert.equal(exact.summary.optimal, exact.summary.feasible);
  assert.equal(exact.summary.gapMax, 0);
  const rough = optimalityExperiment(space, p, {
    contexts: 60,
    options: { algorithm: "random", maxEvaluations: 3, timeBudgetMs: Infinity },
  });
  assert.ok(rough.summary.optimal < rough.summary.feasible);
  for (const s of rough.samples) {
    if (!Number.isNaN(s.gap)) assert.ok(s.gap >= -1e-12);
    if (s.answer.feasible) assert.ok(s.oracle.feasible);
  }
  assert.ok(rough.summary.meanRatio <= 1);
});

function buildIndex(p: Predictor, all: SubnetConfig[]) {
  return buildParetoIndex(paretoSetOf(space, p, all));
}

Deno.test("the tracker's scan scores exactly like objective.ts, sub-millisecond limits included", () => {
  const rng = createRng(9);
  for (let k = 0; k < 200; k++) {
    const constraints = {
      maxLatencyMs: rng.uniform(0.05, 3),
      maxBytes: rng.int(3) === 0 ? 0 : rng.uniform(1, 1e5),
      minAccuracy: rng.uniform(0.5, 1),
      latencyScale: rng.uniform(1, 5),
    };
    const objective = {
      accuracyWeight: rng.next(),
      energyWeight: rng.next(),
      energyRange: { minMj: 0.5, maxMj: rng.int(4) === 0 ? 0.5 : 20 },
    };
    const m = {
      accuracy: rng.next(),
      latencyMs: rng.uniform(0.01, 2),
      energyMj: rng.uniform(0.3, 30),
      bytes: rng.uniform(0, 2e5),
    };
    const score = new Tracker(constraints, objective).offerMetrics(m, 0);
    const v = violations(constraints, m.accuracy, m.latencyMs, m.bytes);
    assert.equal(score.objective, objectiveValue(objective, m.accuracy, m.energyMj));
    assert.equal(score.violation, v.reduce((s, x) => s + x.normalized, 0));
    assert.equal(score.feasible, v.length === 0);
  }
  // A 0.5 ms bound exceeded by 0.25 ms is a 50% violation (not 25%: no unit floor for latency).
  const c = { maxLatencyMs: 0.5, maxBytes: 1e9, minAccuracy: 0, latencyScale: 1 };
  assert.equal(violations(c, 1, 0.75, 1)[0].normalized, 0.5);
});
