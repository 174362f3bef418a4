import assert from "node:assert/strict";
import { accuracyLatencyFront, findMatch, MatchBudget } from "../../lib/evaluate/matching.ts";
import type { SupernetModels } from "../../lib/evaluate/measure.ts";
import type { ParetoPoint } from "../../lib/search/pareto_lookup.ts";

// Point i: latency i + 1 ms, predicted accuracy rising; measured accuracy given per point.
function setup(measured: number[], predicted = measured.map((_, i) => 0.5 + i * 0.01)) {
  const points: ParetoPoint[] = measured.map((_, i) => ({
    config: { choices: [i], int8: false },
    metrics: { accuracy: predicted[i], latencyMs: i + 1, energyMj: 1, bytes: 1 },
  }));
  const seen = new Set<number>();
  const models = {
    known: (c: { choices: number[] }) =>
      seen.has(c.choices[0]) ? measured[c.choices[0]] : undefined,
    get: (c: { choices: number[] }) => {
      seen.add(c.choices[0]);
      return Promise.resolve({
        id: `${c.choices[0]}`,
        bytes: new Uint8Array(),
        testAccuracy: measured[c.choices[0]],
        testSamples: 1,
      });
    },
  } as unknown as SupernetModels;
  return { points, models, seen };
}

Deno.test("the accuracy-latency front drops points slower and no more accurate", () => {
  const { points } = setup([0, 0, 0], [0.9, 0.8, 0.95]);
  assert.deepEqual(accuracyLatencyFront(points).map((p) => p.config.choices[0]), [0, 2]);
});

Deno.test("findMatch: binary search finds the fastest reaching the target, measuring few", async () => {
  const measured = Array.from({ length: 64 }, (_, i) => 0.5 + i * 0.007);
  const { points, models, seen } = setup(measured);
  const m = await findMatch(
    points,
    0.8,
    models,
    { tolerance: 0, maxCandidates: 20 },
    new MatchBudget(20),
  );
  assert.ok("model" in m);
  assert.equal(m.config.choices[0], 43); // first i with 0.5 + 0.007 i >= 0.8
  assert.ok(seen.size <= 6 + 2, `${seen.size} measured`);
});

Deno.test("findMatch: a miscalibrated predictor does not block a match, the recheck catches a dip", async () => {
  // Predicted far below the measured values; measured not monotone: 2 reaches the goal, 3 does not.
  const measured = [0.7, 0.8, 0.97, 0.9, 0.96, 0.98, 0.99];
  const { points, models } = setup(measured, measured.map((_, i) => 0.1 + i * 0.01));
  const m = await findMatch(
    points,
    0.95,
    models,
    { tolerance: 0, maxCandidates: 10, recheck: 3 },
    new MatchBudget(10),
  );
  assert.ok("model" in m);
  assert.equal(m.config.choices[0], 2);
});

Deno.test("findMatch: unreachable targets and an exhausted budget say why", async () => {
  const { points, models } = setup([0.5, 0.6, 0.7]);
  const none = await findMatch(
    points,
    0.9,
    models,
    { tolerance: 0, maxCandidates: 5 },
    new MatchBudget(5),
  );
  assert.ok("reason" in none && /reached 90\.00%/.test(none.reason));
  const { points: p2, models: m2 } = setup(Array.from({ length: 32 }, (_, i) => i / 32));
  const cut = await findMatch(p2, 0.9, m2, { tolerance: 0, maxCandidates: 1 }, new MatchBudget(1));
  assert.ok("reason" in cut && /budget ran out/.test(cut.reason));
});
