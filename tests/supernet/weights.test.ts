import assert from "node:assert/strict";
import { AdaspringError } from "../../lib/errors.ts";
import { evaluate } from "../../lib/onnx/reference/mod.ts";
import { materialize } from "../../lib/supernet/materialize.ts";
import { largestConfig, parseConfigId } from "../../lib/supernet/mod.ts";
import { reorderByImportance, reorderDuringTraining } from "../../lib/supernet/reorder.ts";
import { addToSlice, readSlice } from "../../lib/supernet/slice.ts";
import { createWeightStore, storeLayout } from "../../lib/supernet/weights.ts";
import { binaryPath, loadWeightStore, saveWeightStore } from "../../lib/supernet/weights_io.ts";
import { tinySpace } from "./fixtures.ts";
import {
  maxAbsDiff,
  MNIST_IO,
  mnistSpace,
  perturbedStore,
  randomInput,
  randomStats,
} from "./store_fixtures.ts";

const space = await mnistSpace();

Deno.test("store init is deterministic in the seed and He-scaled", () => {
  const a = createWeightStore(space, MNIST_IO, 4), b = createWeightStore(space, MNIST_IO, 4);
  const c = createWeightStore(space, MNIST_IO, 5);
  for (const [name, t] of a.tensors) assert.deepEqual(t.data, b.tensors.get(name)!.data, name);
  assert.notDeepEqual(a.tensors.get("b2.conv.w")!.data, c.tensors.get("b2.conv.w")!.data);
  const w = a.tensors.get("b4.conv.w")!; // fan-in 64 * 9
  const std = Math.sqrt(w.data.reduce((s, v) => s + v * v, 0) / w.data.length);
  assert.ok(Math.abs(std - Math.sqrt(2 / 576)) < 0.05 * Math.sqrt(2 / 576), `std ${std}`);
  assert.equal(a.origin, "untrained (initialised from seed 4)");
  assert.deepEqual(a.tensors.get("b3.expandk.w")!.shape, [32, 16, 3, 3]); // floor(64 / 2) rows
  assert.deepEqual(a.tensors.get("b1.dw.w")!.shape, [32, 1, 3, 3]);
});

Deno.test("the layout follows the operator pool", () => {
  const small = tinySpace({
    kind: "conv1d",
    stem: { channels: 4, kernel: 3, stride: 1 },
    blocks: [{ channels: 8, kernel: 5, stride: 2 }],
  }, { depthwise: false, fire: false, lowRank: false });
  const names = storeLayout(small, { inputChannels: 2, numClasses: 3 }).map((e) => e.name);
  assert.deepEqual(names, [
    "stem.w",
    "stem.bn.gamma",
    "stem.bn.beta",
    "b0.conv.w",
    "b0.conv.bn.gamma",
    "b0.conv.bn.beta",
    "head.w",
    "head.b",
  ]);
});

Deno.test("importance reordering sorts channels and preserves the largest network", () => {
  const store = perturbedStore(space, 9);
  const config = largestConfig(space);
  const stats = randomStats(space, config, 2);
  const x = randomInput(2, 3);
  const before = evaluate(
    materialize(store, space, config, { inputShape: [1, 28, 28], bnStats: stats }).model.graph,
    { input: x },
  ).logits;
  const perms = reorderByImportance(store, space);
  assert.equal(store.revision, 1);
  // Statistics belong to channels: permute them like the channels.
  // Statistics belong to channels: permute them with their channel space (b1 and b3 are
  // residual blocks living in b0's and b2's spaces).
  const spaceOf: Record<string, string> = {
    stem: "stem",
    b0: "b0",
    b1: "b0",
    b2: "b2",
    b3: "b2",
    b4: "b4",
  };
  const permuted = new Map([...stats].map(([bn, s]) => {
    const p = perms.get(spaceOf[bn.split(".")[0]])!;
    const pick = (v: Float64Array) => Float64Array.from(p, (i) => v[i]);
    return [bn, { mean: pick(s.mean), variance: pick(s.variance) }];
  }));
  const after = evaluate(
    materialize(store, space, config, { inputShape: [1, 28, 28], bnStats: permuted }).model.graph,
    { input: x },
  ).logits;
  assert.ok(
    maxAbsDiff(before.data, after.data) < 1e-5,
    `changed by ${maxAbsDiff(before.data, after.data)}`,
  );
  // Rows of each creating conv are now in decreasing L1 norm.
  const w = store.tensors.get("b2.conv.w")!, per = w.data.length / 64;
  const norms = Array.from(
    { length: 64 },
    (_, r) => w.data.subarray(r * per, (r + 1) * per).reduce((s, v) => s + Math.abs(v), 0),
  );
  for (let r = 1; r < 64; r++) assert.ok(norms[r - 1] >= norms[r]);
  assert.notDeepEqual(perms.get("b2"), Array.from({ length: 64 }, (_, i) => i));
});

Deno.test("slices read and update the store in place", () => {
  const store = createWeightStore(space, MNIST_IO, 1);
  const s = { tensor: "b0.conv.w", rows: [2, 4] as const, cols: [1, 3] as const, derived: null };
  const v = readSlice(store, s);
  assert.equal(v.length, 2 * 2 * 9);
  assert.equal(v[9], store.tensors.get("b0.conv.w")!.data[(2 * 16 + 2) * 9]);
  addToSlice(store, s, new Float32Array(v.length).fill(1), -0.5);
  assert.ok(Math.abs(readSlice(store, s)[9] - (v[9] - 0.5)) < 1e-6);
  assert.throws(() => readSlice(store, { ...s, rows: [30, 40] }), AdaspringError);
});

Deno.test("save/load round trip, version, checksum and architecture errors", async () => {
  const dir = await Deno.makeTempDir();
  const store = perturbedStore(space, 6);
  const path = `${dir}/store.json`;
  await saveWeightStore(store, path);
  const back = await loadWeightStore(path, space, MNIST_IO);
  for (const [name, t] of store.tensors) assert.deepEqual(back.tensors.get(name)!.data, t.data);
  assert.match(back.origin, /untrained \(initialised from seed 6\) \(loaded from/);

  const other = tinySpace({
    kind: "conv2d",
    stem: { channels: 16, kernel: 3, stride: 1 },
    blocks: [{ channels: 48, kernel: 3, stride: 2 }],
  });
  await assert.rejects(
    () => loadWeightStore(path, { ...other, task: "mnist" }),
    (e: Error) =>
      e instanceof AdaspringError && /different architecture.*b0\.conv\.w\[48/.test(e.message),
  );
  await assert.rejects(
    () => loadWeightStore(path, space, { inputChannels: 3, numClasses: 10 }),
    (e: Error) => e instanceof AdaspringError && /stem\.w\[16,3,3,3\]/.test(e.message),
  );
  const bin = await Deno.readFile(binaryPath(path));
  bin[100] ^= 0xff;
  await Deno.writeFile(binaryPath(path), bin);
  await assert.rejects(() => loadWeightStore(path, space), /checksum mismatch/);
  const manifest = JSON.parse(await Deno.readTextFile(path));
  await Deno.writeTextFile(path, JSON.stringify({ ...manifest, version: 99 }));
  await assert.rejects(() => loadWeightStore(path, space), /version 99/);
  await Deno.writeTextFile(path, JSON.stringify({ ...manifest, version: 1 }));
  await assert.rejects(
    () => loadWeightStore(path, space),
    /version 1 was trained with fire blocks' expands concatenated.*Train the supernet again/,
  );
  await assert.rejects(() => loadWeightStore(`${dir}/none.json`, space), AdaspringError);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("materialized subnet weights map back to their store slices", () => {
  const store = createWeightStore(space, MNIST_IO, 2);
  const config = parseConfigId(space, "b0:fire-w.5|b1:dw|b2:lr.5-w.75|b3:skip|b4:conv-w.25");
  const m = materialize(store, space, config, { inputShape: [1, 28, 28] });
  const t = m.weights.tensors;
  assert.deepEqual(t.get("b0.expandk.w")!.source.rows, [0, 8]); // interleaved: channels 1, 3, .., 15
  assert.deepEqual(t.get("b4.conv.w")!.shape, [32, 48, 3, 3]);
  assert.deepEqual(t.get("b4.conv.w")!.data, readSlice(store, t.get("b4.conv.w")!.source));
  assert.equal(t.get("b2.lr.u.w")!.source.derived?.kind, "svd-u");
  assert.deepEqual(t.get("b2.lr.v.w")!.shape, [48, 24, 1, 1]);
  assert.equal(m.calibrated, false);
});

Deno.test("reordering during training permutes optimizer slots with their tensors", () => {
  const store = perturbedStore(space, 4);
  // Slots equal to their tensors before: a slot that followed its tensor still equals it after.
  const slots: Record<string, Float32Array> = {};
  for (const [name, t] of store.tensors) {
    slots[`${name}/momentum`] = new Float32Array(t.data);
    slots[`${name}/m`] = new Float32Array(t.data);
  }
  const perms = reorderDuringTraining(store, space, { state: () => slots });
  assert.ok([...perms.values()].some((p) => p.some((v, i) => v !== i)), "something moved");
  for (const [name, t] of store.tensors) {
    assert.deepEqual(slots[`${name}/momentum`], t.data, name);
    assert.deepEqual(slots[`${name}/m`], t.data, name);
  }
});
