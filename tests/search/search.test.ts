import assert from "node:assert/strict";
import { AdaspringError } from "../../lib/errors.ts";
import { enumerateConfigs, spaceSize } from "../../lib/supernet/enumerate.ts";
import { formatConfigId } from "../../lib/supernet/config_id.ts";
import { createRng } from "../../lib/util/rng.ts";
import {
  buildParetoIndex,
  type Constraints,
  energyRangeOf,
  type Objective,
  paretoSetOf,
  search,
  syntheticPredictor,
  violations,
} from "../../lib/search/mod.ts";
import { bruteForce, smallSpace } from "./fixtures.ts";

const space = smallSpace();
const predictor = syntheticPredictor(space, 1);
const all = [...enumerateConfigs(space)];
const pareto = buildParetoIndex(paretoSetOf(space, predictor, all));
const energyRange = energyRangeOf(space, predictor);
const big = predictor.predict(all[0]);

/** Contexts spanning the small space's range, seeded. */
function randomContexts(n: number, seed: number): { c: Constraints; o: Objective }[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => ({
    c: {
      maxLatencyMs: rng.uniform(0.2, 1.2) * big.latencyMs,
      maxBytes: rng.uniform(0.02, 1.2) * big.bytes,
      minAccuracy: rng.uniform(0.9, 1) * big.accuracy,
      latencyScale: 1 / (1 - rng.uniform(0, 0.6)),
    },
    o: { accuracyWeight: 1, energyWeight: rng.uniform(0, 1), energyRange },
  }));
}

Deno.test("the Pareto set is smaller than the space and contains the largest configuration", () => {
  assert.equal(spaceSize(space), 288n);
  assert.ok(pareto.points.length > 1 && pareto.points.length < 288);
  assert.ok(pareto.points.some((p) => p.config.choices.every((c) => c === 0) && !p.config.int8));
});

Deno.test("exhaustive matches an independent brute force, feasible or not", () => {
  for (const { c, o } of randomContexts(60, 1)) {
    const r = search(space, predictor, c, o, { algorithm: "exhaustive" });
    const b = bruteForce(space, predictor, c, o);
    assert.equal(r.feasible, b.feasible);
    assert.equal(r.objective, b.objective);
    assert.equal(r.evaluated, 288);
    assert.equal(r.id, formatConfigId(space, r.config));
    assert.deepEqual(r.metrics, predictor.predict(r.config));
  }
});

Deno.test("Pareto lookup and exhaustive agree on every context", () => {
  let feasible = 0;
  for (const { c, o } of randomContexts(200, 2)) {
    const ex = search(space, predictor, c, o, { algorithm: "exhaustive" });
    const pa = search(space, predictor, c, o, { pareto });
    assert.equal(pa.algorithm, "pareto");
    assert.equal(pa.feasible, ex.feasible);
    if (ex.feasible) {
      feasible++;
      assert.equal(pa.objective, ex.objective);
    }
    assert.equal(pa.evaluated, pareto.points.length);
  }
  assert.ok(feasible > 20, `only ${feasible} feasible contexts: the test would prove little`);
});

Deno.test("bounded searches return feasible configurations when some exist", () => {
  let checked = 0;
  for (const { c, o } of randomContexts(40, 3)) {
    const ex = search(space, predictor, c, o, { algorithm: "exhaustive" });
    if (!ex.feasible) continue;
    // Random draws can miss a tiny feasible set; ask it only when a fair share is feasible.
    const feasibleCount = all.filter((x) => {
      const m = predictor.predict(x);
      return violations(c, m.accuracy, m.latencyMs, m.bytes).length === 0;
    }).length;
    const algorithms = feasibleCount >= 15
      ? ["evolution", "greedy", "random"] as const
      : ["evolution", "greedy"] as const;
    for (const algorithm of algorithms) {
      const r = search(space, predictor, c, o, {
        algorithm,
        timeBudgetMs: Infinity,
        maxEvaluations: 150,
      });
      assert.ok(r.feasible, `${algorithm} missed a feasible configuration`);
      assert.ok(r.objective <= ex.objective + 1e-12);
      assert.deepEqual(r.violations, []);
    }
    checked++;
  }
  assert.ok(checked > 5);
});

Deno.test("bounded searches respect the evaluation budget and are seeded", () => {
  const { c, o } = randomContexts(1, 4)[0];
  for (const algorithm of ["evolution", "greedy", "random"] as const) {
    for (const maxEvaluations of [1, 7, 40]) {
      const opts = { algorithm, timeBudgetMs: Infinity, maxEvaluations, seed: 5 };
      const r = search(space, predictor, c, o, opts);
      assert.ok(r.evaluated <= maxEvaluations, `${algorithm}: ${r.evaluated} > ${maxEvaluations}`);
      assert.ok(r.evaluated >= 1);
      assert.equal(search(space, predictor, c, o, opts).id, r.id);
    }
  }
  // Evolution stops by itself once it cannot make anything new, even with no budget at all.
  const r = search(space, predictor, c, o, {
    algorithm: "evolution",
    timeBudgetMs: Infinity,
    maxEvaluations: Infinity,
  });
  assert.ok(r.evaluated <= 288);
});

Deno.test("a spent time budget still gives an answer after one evaluation", () => {
  let now = 0;
  const clock = () => (now += 10);
  const { c, o } = randomContexts(1, 5)[0];
  const r = search(space, predictor, c, o, { algorithm: "random", timeBudgetMs: 5, clock });
  assert.equal(r.evaluated, 1);
});

Deno.test("an infeasible context gives the closest configuration and what it misses", () => {
  const c = { maxLatencyMs: 1e-6, maxBytes: 1, minAccuracy: 1, latencyScale: 1 };
  const o = { accuracyWeight: 1, energyWeight: 0.5, energyRange };
  const b = bruteForce(space, predictor, c, o);
  for (const opts of [{ algorithm: "exhaustive" as const }, { pareto }]) {
    const r = search(space, predictor, c, o, opts);
    assert.equal(r.feasible, false);
    assert.deepEqual(r.violations.map((v) => v.constraint).sort(), [
      "accuracy",
      "bytes",
      "latency",
    ]);
    const total = r.violations.reduce((s, v) => s + v.normalized, 0);
    assert.ok(Math.abs(total - b.violation) < 1e-9);
    assert.deepEqual(r.binding, ["latency", "bytes", "accuracy"]);
  }
  // Only storage impossible: the answer breaks storage alone, by the least possible.
  const c2 = { maxLatencyMs: 1e9, maxBytes: 10, minAccuracy: 0, latencyScale: 1 };
  const r2 = search(space, predictor, c2, o, { algorithm: "greedy", timeBudgetMs: Infinity });
  assert.deepEqual(r2.violations.map((v) => v.constraint), ["bytes"]);
  const minBytes = Math.min(...all.map((x) => predictor.predict(x).bytes));
  assert.equal(r2.violations[0].value, minBytes);
});

Deno.test("binding constraints are those that kept a better configuration out", () => {
  const o = { accuracyWeight: 1, energyWeight: 0, energyRange };
  const free = { maxLatencyMs: 1e9, maxBytes: 1e12, minAccuracy: 0, latencyScale: 1 };
  const loose = search(space, predictor, free, o, { algorithm: "exhaustive" });
  assert.deepEqual(loose.binding, []);
  const tight = { ...free, maxLatencyMs: big.latencyMs / 2 };
  const r = search(space, predictor, tight, o, { algorithm: "exhaustive" });
  assert.deepEqual(r.binding, ["latency"]);
  assert.ok(r.effectiveLatencyMs <= tight.maxLatencyMs);
});

Deno.test("pareto without a Pareto set is a clear error", () => {
  const { c, o } = randomContexts(1, 6)[0];
  assert.throws(
    () => search(space, predictor, c, o, { algorithm: "pareto" }),
    (e) => e instanceof AdaspringError && /run the profile stage first/.test(e.message),
  );
});
