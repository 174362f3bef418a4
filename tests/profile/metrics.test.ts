import assert from "node:assert/strict";
import {
  averageRanks,
  kendallTau,
  rmse,
  rmspe,
  spearman,
  withinShare,
} from "../../lib/profile/metrics.ts";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

Deno.test("RMSPE and the share within +-10%, by hand", () => {
  // errors +10%, -20%, 0%: sqrt((0.01 + 0.04 + 0) / 3) = 0.1291
  close(rmspe([1.1, 1.6, 3], [1, 2, 3]), 100 * Math.sqrt(0.05 / 3));
  close(withinShare([1.1, 1.6, 3], [1, 2, 3]), 2 / 3);
  close(rmse([1, 2], [2, 4]), Math.sqrt(2.5));
  assert.throws(() => rmspe([1], [1, 2]));
});

Deno.test("Kendall tau-b with ties, by hand", () => {
  // Pairs: 4 concordant, 0 discordant, one tie in x, one in y: 4 / sqrt(5 * 5).
  close(kendallTau([1, 2, 2, 3], [1, 3, 2, 3]), 0.8);
  close(kendallTau([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // 3 concordant, 3 discordant.
  close(kendallTau([1, 2, 3, 4], [2, 4, 1, 3]), 0);
  close(kendallTau([1, 1, 1], [1, 2, 3]), 0);
});

Deno.test("Spearman with average ranks for ties, by hand", () => {
  assert.deepEqual(averageRanks([10, 20, 20, 30]), [1, 2.5, 2.5, 4]);
  assert.deepEqual(averageRanks([5, 1, 5, 5]), [3, 1, 3, 3]);
  // ranks x: 1, 2.5, 2.5, 4; y: 1, 3.5, 2, 3.5 -> 3.75 / 4.5
  close(spearman([1, 2, 2, 3], [1, 3, 2, 3]), 3.75 / 4.5);
  close(spearman([1, 2, 3], [30, 20, 10]), -1);
});
