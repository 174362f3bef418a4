import assert from "node:assert/strict";
import { magnitudeMasks, maskedFraction, trainAlone } from "../../lib/evaluate/standalone.ts";
import { deriveSubnetWeights } from "../../lib/supernet/derive.ts";
import { planSubnet } from "../../lib/supernet/plan.ts";
import { createSearchSpace, largestConfig, parseConfigId } from "../../lib/supernet/mod.ts";
import { createWeightStore } from "../../lib/supernet/weights.ts";
import { createRng } from "../../lib/util/rng.ts";

const space = createSearchSpace({
  name: "t",
  model: {
    kind: "conv1d",
    stem: { channels: 4, kernel: 3, stride: 1 },
    blocks: [
      { channels: 8, kernel: 3, stride: 2, optional: false },
      { channels: 8, kernel: 3, stride: 1, optional: true },
    ],
    dropout: 0,
  },
  operators: {
    width: [1, 0.5],
    depth: true,
    depthwise: true,
    fire: false,
    lowRank: { ranks: [0.5] },
    int8: true,
  },
} as never);
const io = { inputChannels: 2, numClasses: 3 };
const rng = createRng(4);
const n = 64, len = 12;
const x = Float32Array.from({ length: n * 2 * len }, () => rng.normal());
const y = Int32Array.from({ length: n }, (_, i) => i % 3);
// Class-dependent offset so there is something to learn.
for (let i = 0; i < n; i++) for (let j = 0; j < 2 * len; j++) x[i * 2 * len + j] += y[i] - 1;
const data = { inputShape: [2, len], classes: ["a", "b", "c"], train: { x, y }, val: { x, y } };
const common = {
  space,
  data,
  epochs: 2,
  batchSize: 16,
  lr: 0.05,
  optimizer: { kind: "sgd" as const, momentum: 0.9 },
  schedule: "cosine" as const,
  seed: 0,
  calibration: { x, inputShape: [2, len], key: "test" },
  calibrationSamples: 32,
};

Deno.test("magnitude masks zero the smallest weights of each tensor, layer by layer", () => {
  const store = createWeightStore(space, io, 0);
  const w = deriveSubnetWeights(store, planSubnet(space, largestConfig(space), io));
  const masks = magnitudeMasks(w.tensors, 0.5);
  assert.ok(masks.has("head.w") && masks.has("stem.w"));
  assert.ok(![...masks.keys()].some((k) => k.includes("gamma")), "BN is not pruned");
  const stem = w.tensors.get("stem.w")!.data, m = masks.get("stem.w")!;
  const kept = [...stem].filter((_, i) => m[i] === 1).map(Math.abs);
  const cut = [...stem].filter((_, i) => m[i] === 0).map(Math.abs);
  assert.ok(Math.min(...kept) >= Math.max(...cut));
  assert.ok(Math.abs(maskedFraction(masks) - 0.5) < 0.05);
  assert.throws(() => magnitudeMasks(w.tensors, 1), /sparsity/);
});

Deno.test("trainAlone with masks: pruned weights stay zero, kept ones are trained", async () => {
  const store = createWeightStore(space, io, 0);
  const config = largestConfig(space);
  const init = deriveSubnetWeights(store, planSubnet(space, config, io));
  const masks = magnitudeMasks(init.tensors, 0.5);
  const r = await trainAlone({ ...common, store, config, init, masks });
  const before = init.tensors.get("b0.conv.w")!.data,
    after = r.weights.tensors.get("b0.conv.w")!.data;
  const m = masks.get("b0.conv.w")!;
  let changed = 0;
  for (let i = 0; i < m.length; i++) {
    if (m[i] === 0) assert.ok(after[i] === 0, `pruned weight ${i} is ${after[i]}`);
    else if (after[i] !== before[i]) changed++;
  }
  assert.ok(changed > 0, "unmasked weights moved");
  assert.ok(r.bnStats.has("stem.bn"));
});

Deno.test("trainAlone trains low-rank factors as parameters of their own", async () => {
  const store = createWeightStore(space, io, 0);
  const config = parseConfigId(space, "b0:lr.5-w1|b1:skip");
  const init = deriveSubnetWeights(store, planSubnet(space, config, io));
  const r = await trainAlone({ ...common, store, config, init });
  const u = [...r.weights.tensors.keys()].find((k) => k.includes("lr.u"))!;
  assert.ok(u, "a first factor exists");
  assert.notDeepEqual([...r.weights.tensors.get(u)!.data], [...init.tensors.get(u)!.data]);
  assert.ok(r.result.bestValAccuracy > 0.34, `learned something: ${r.result.bestValAccuracy}`);
});
