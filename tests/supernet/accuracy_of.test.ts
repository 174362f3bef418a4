import assert from "node:assert/strict";
import { classificationMetrics } from "../../lib/data/metrics.ts";
import { accuracyOf, type BatchRunner } from "../../lib/supernet/export.ts";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

/** A runner over 1-value samples whose logits put 1 on `predict(x)` and 0 elsewhere. */
function runner(classes: number, predict: (x: number) => number): BatchRunner {
  return (x, count) => {
    const logits = new Float32Array(count * classes);
    for (let i = 0; i < count; i++) logits[i * classes + predict(x[i])] = 1;
    return Promise.resolve(logits);
  };
}

/** Samples of one value each: the value is the sample's index, the label is `labels[i]`. */
function samples(labels: readonly number[]) {
  return { x: Float32Array.from(labels, (_, i) => i), y: Int32Array.from(labels) };
}

Deno.test("accuracyOf: one class answered everywhere on imbalanced labels: accuracy high, balanced 0.5", async () => {
  // 769 normal windows and 7 anomalous ones, the proportions of the sensor task's test split.
  const labels = Array.from({ length: 776 }, (_, i) => (i % 100 === 7 && i < 700 ? 1 : 0));
  assert.equal(labels.filter((y) => y === 1).length, 7);
  const r = await accuracyOf(runner(2, () => 0), samples(labels), [1], 64);
  close(r.accuracy, 769 / 776);
  close(r.balancedAccuracy, 0.5);
  assert.equal(r.samples, 776);
});

Deno.test("accuracyOf: balanced accuracy over batches agrees with lib/data/metrics", async () => {
  // Three classes, predictions wrong for every 3rd sample of class 2 and every 4th of class 0.
  const labels = Array.from({ length: 50 }, (_, i) => (i < 30 ? 0 : i < 35 ? 1 : 2));
  const predict = (x: number) => {
    const y = labels[x];
    if (y === 0 && x % 4 === 0) return 1;
    if (y === 2 && x % 3 === 0) return 0;
    return y;
  };
  const r = await accuracyOf(runner(3, predict), samples(labels), [1], 7);
  const want = classificationMetrics(labels, labels.map((_, i) => predict(i)), 3);
  close(r.accuracy, want.accuracy);
  close(r.balancedAccuracy, want.balancedAccuracy);
  assert.ok(r.balancedAccuracy > r.accuracy, "the small class 1 is always right");
});

Deno.test("accuracyOf: a perfect predictor scores 1 on both, no samples score 0", async () => {
  const labels = [0, 1, 1, 2, 2, 2, 3];
  const perfect = await accuracyOf(runner(4, (x) => labels[x]), samples(labels), [1], 2);
  assert.equal(perfect.accuracy, 1);
  assert.equal(perfect.balancedAccuracy, 1);
  assert.deepEqual(perfect.halves, [1, 1]);
  const none = await accuracyOf(runner(4, () => 0), samples([]), [1]);
  assert.deepEqual(none, { accuracy: 0, balancedAccuracy: 0, samples: 0, halves: [0, 0] });
});
