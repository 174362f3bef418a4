import assert from "node:assert/strict";
import {
  accuracy,
  balancedAccuracy,
  classificationMetrics,
  confusionMatrix,
  macroF1,
  perClassF1,
} from "../../lib/data/metrics.ts";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

Deno.test("metrics of a 3-class example computed by hand", () => {
  // true:  0 0 0 0 1 1 2 2 2 2
  // pred:  0 0 1 2 1 1 2 2 0 2
  const yTrue = [0, 0, 0, 0, 1, 1, 2, 2, 2, 2];
  const yPred = [0, 0, 1, 2, 1, 1, 2, 2, 0, 2];
  const m = confusionMatrix(yTrue, yPred, 3);
  assert.deepEqual(m, [[2, 1, 1], [0, 2, 0], [1, 0, 3]]);
  close(accuracy(m), 7 / 10);
  // recalls 2/4, 2/2, 3/4
  close(balancedAccuracy(m), (0.5 + 1 + 0.75) / 3);
  // class 0: tp 2 fp 1 fn 2 -> 4/7; class 1: tp 2 fp 1 fn 0 -> 4/5; class 2: tp 3 fp 1 fn 1 -> 6/8
  const f1 = perClassF1(m);
  close(f1[0], 4 / 7);
  close(f1[1], 4 / 5);
  close(f1[2], 6 / 8);
  close(macroF1(m), (4 / 7 + 4 / 5 + 6 / 8) / 3);
});

Deno.test("imbalanced binary detection: accuracy flatters, balanced accuracy does not", () => {
  // 98 normal, 2 anomalous; a detector that always says normal
  const yTrue = [...new Array(98).fill(0), 1, 1];
  const yPred = new Array(100).fill(0);
  const r = classificationMetrics(yTrue, yPred, 2);
  close(r.accuracy, 0.98);
  close(r.balancedAccuracy, 0.5);
  assert.equal(r.perClassF1[1], 0);
  close(r.macroF1, (2 * 98 / (2 * 98 + 2)) / 2);
});

Deno.test("classes absent from both labels and predictions do not dilute macro F1", () => {
  const r = classificationMetrics([0, 1], [0, 1], 4);
  close(r.macroF1, 1);
  close(r.balancedAccuracy, 1);
});

Deno.test("bad inputs are rejected", () => {
  assert.throws(() => confusionMatrix([0, 1], [0], 2), /2 true labels but 1 predictions/);
  assert.throws(() => confusionMatrix([0, 2], [0, 1], 2), /label 2 at index 1/);
});
