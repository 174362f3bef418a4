import assert from "node:assert/strict";
import { evaluate } from "../../lib/onnx/reference/mod.ts";
import { maskedSupernetGraph } from "../../lib/supernet/masked.ts";
import { materialize } from "../../lib/supernet/materialize.ts";
import {
  formatConfigId,
  largestConfig,
  parseConfigId,
  sampleConfig,
  smallestConfig,
} from "../../lib/supernet/mod.ts";
import { createRng } from "../../lib/util/rng.ts";
import { createWeightStore } from "../../lib/supernet/weights.ts";
import { tinySpace } from "./fixtures.ts";
import {
  maxAbsDiff,
  mnistSpace,
  perturbedStore,
  randomInput,
  randomStats,
} from "./store_fixtures.ts";

const space = await mnistSpace();
const store = perturbedStore(space, 3);
const x = randomInput(2, 1);

function check(id: string) {
  const config = parseConfigId(space, id);
  const stats = randomStats(space, config, 5);
  const m = materialize(store, space, config, {
    inputShape: [1, 28, 28],
    bnStats: stats,
    int8: false,
  });
  const sliced = evaluate(m.model.graph, { input: x }).logits;
  const masked = evaluate(
    maskedSupernetGraph(store, space, config, { inputShape: [1, 28, 28], bnStats: stats }),
    { input: x },
  ).logits;
  assert.deepEqual(sliced.shape, [2, 10]);
  const scale = Math.max(...masked.data.map(Math.abs));
  assert.ok(scale > 1e-3, `${id}: logits are all ~0`);
  const diff = maxAbsDiff(sliced.data, masked.data);
  assert.ok(diff < 1e-4 * Math.max(1, scale), `${id}: sliced vs masked differ by ${diff}`);
}

const rng = createRng(11);
const ids = [
  formatConfigId(space, largestConfig(space)),
  formatConfigId(space, { ...smallestConfig(space), int8: false }),
  "b0:conv-w.75|b1:skip|b2:dw-w.5|b3:fire|b4:lr.25-w.5",
  "b0:fire-w.5|b1:dw|b2:lr.5-w.75|b3:lr.25|b4:fire-w.25",
  "b0:lr.5-w1|b1:fire|b2:fire-w1|b3:dw|b4:conv-w.75",
  ...Array.from(
    { length: 3 },
    () => formatConfigId(space, { ...sampleConfig(space, rng), int8: false }),
  ),
];
for (const id of ids) {
  Deno.test(`materialized subnet equals the masked supernet forward: ${id}`, () => check(id));
}

Deno.test("low-rank at full rank equals the plain conv it factors", () => {
  const tiny = tinySpace({
    kind: "conv1d",
    stem: { channels: 6, kernel: 3, stride: 1 },
    blocks: [{ channels: 8, kernel: 3, stride: 2 }, { channels: 8, kernel: 3, stride: 1 }],
  }, { lowRank: { ranks: [1] }, width: [1, 0.5] });
  const io = { inputChannels: 2, numClasses: 3 };
  const st = createWeightStore(tiny, io, 4);
  // Give the low-rank BN the conv's parameters, so that only the factorisation differs.
  for (const b of ["b0", "b1"]) {
    for (const p of ["gamma", "beta"]) {
      st.tensors.get(`${b}.lr.bn.${p}`)!.data.set(st.tensors.get(`${b}.conv.bn.${p}`)!.data);
    }
  }
  const input = {
    dtype: "float32" as const,
    shape: [2, 2, 16],
    data: randomInput(1, 7).data.subarray(0, 64),
  };
  const run = (id: string) => {
    const cfg = parseConfigId(tiny, id);
    const m = materialize(st, tiny, cfg, { inputShape: [2, 16] });
    return evaluate(m.model.graph, { input }).logits.data;
  };
  for (const w of ["1", ".5"]) {
    const plain = run(`b0:conv-w${w}|b1:conv-w1`);
    const low = run(`b0:lr1-w${w}|b1:lr1-w1`);
    assert.ok(maxAbsDiff(plain, low) < 1e-5, `w${w}: ${maxAbsDiff(plain, low)}`);
    assert.ok(maxAbsDiff(plain, run(`b0:conv-w${w}|b1:lr1-w.5`)) > 1e-4); // and it is not vacuous
  }
});

Deno.test("1-D fire blocks at every width: materialized subnet equals the masked forward", () => {
  const tiny = tinySpace({
    kind: "conv1d",
    stem: { channels: 6, kernel: 3, stride: 1 },
    blocks: [
      { channels: 8, kernel: 5, stride: 2 },
      { channels: 8, kernel: 3, stride: 1, optional: true },
      { channels: 16, kernel: 3, stride: 2 },
    ],
  }, { fire: { squeeze: 0.5 }, width: [1, 0.75, 0.5, 0.25] });
  const io = { inputChannels: 2, numClasses: 3 };
  const st = createWeightStore(tiny, io, 6);
  const rng = createRng(2).fork("bn");
  for (const [name, t] of st.tensors) {
    if (name.endsWith(".gamma")) t.data.forEach((_, i) => t.data[i] = rng.uniform(0.5, 1.5));
    if (name.endsWith(".beta")) t.data.forEach((_, i) => t.data[i] = rng.uniform(-0.2, 0.2));
  }
  const input = {
    dtype: "float32" as const,
    shape: [2, 2, 16],
    data: randomInput(1, 8).data.subarray(0, 64),
  };
  for (const w of ["1", ".75", ".5", ".25"]) {
    const id = `b0:fire-w${w}|b1:fire|b2:fire-w${w}`;
    const cfg = parseConfigId(tiny, id);
    const sliced = evaluate(materialize(st, tiny, cfg, { inputShape: [2, 16] }).model.graph, {
      input,
    }).logits;
    const masked = evaluate(maskedSupernetGraph(st, tiny, cfg, { inputShape: [2, 16] }), {
      input,
    }).logits;
    const scale = Math.max(...masked.data.map(Math.abs));
    assert.ok(scale > 1e-3, `${id}: logits are all ~0`);
    assert.ok(maxAbsDiff(sliced.data, masked.data) < 1e-4 * Math.max(1, scale), id);
  }
});
