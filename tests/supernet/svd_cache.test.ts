import assert from "node:assert/strict";
import { deriveSubnetWeights, planConvs, type SubnetWeights } from "../../lib/supernet/derive.ts";
import { sampleConfig } from "../../lib/supernet/enumerate.ts";
import { parseConfigId } from "../../lib/supernet/mod.ts";
import { planSubnet, type SubnetPlan } from "../../lib/supernet/plan.ts";
import { addToSlice, readSlice } from "../../lib/supernet/slice.ts";
import {
  factorsFromSvd,
  lowRankFactors,
  lowRankProduct,
  type Svd,
  svd,
} from "../../lib/supernet/svd.ts";
import {
  cachedLowRankFactors,
  clearSvdCache,
  precomputeLowRank,
  setSvdCacheLimit,
  svdCacheStats,
} from "../../lib/supernet/svd_cache.ts";
import { createWeightStore, markUpdated, type WeightStore } from "../../lib/supernet/weights.ts";
import { createRng } from "../../lib/util/rng.ts";
import { MNIST_IO, mnistSpace } from "./store_fixtures.ts";

const LOW_RANK = "b0:conv-w.75|b1:skip|b2:dw-w.5|b3:fire|b4:lr.25-w.5|q8";

/** Every low-rank factor pair of `w`, recomputed from the store without any cache. */
function directFactors(store: WeightStore, plan: SubnetPlan, w: SubnetWeights) {
  return planConvs(plan).filter((c) => c.weight.derived?.kind === "svd-u").map((c) => {
    const data = readSlice(store, c.weight);
    const cout = c.weight.rows[1] - c.weight.rows[0];
    const f = lowRankFactors(data, cout, data.length / cout, c.weight.derived!.rank);
    const prefix = c.name.slice(0, -2);
    return { f, u: w.tensors.get(`${prefix}.u.w`)!.data, v: w.tensors.get(`${prefix}.v.w`)!.data };
  });
}

Deno.test("cached low-rank factors equal freshly computed ones bit for bit", async () => {
  clearSvdCache();
  const space = await mnistSpace();
  const store = createWeightStore(space, MNIST_IO, 11);
  const plan = planSubnet(space, parseConfigId(space, LOW_RANK), MNIST_IO);
  const first = deriveSubnetWeights(store, plan);
  assert.equal(first.timings.svdComputed, 1);
  assert.equal(first.timings.svdCached, 0);
  const again = deriveSubnetWeights(store, plan);
  assert.equal(again.timings.svdComputed, 0);
  assert.equal(again.timings.svdCached, 1);
  const pairs = directFactors(store, plan, again);
  assert.equal(pairs.length, 1);
  for (const { f, u, v } of pairs) {
    assert.deepEqual(u, f.u);
    assert.deepEqual(v, f.v);
  }
  // Fresh arrays on every call: a caller changing its factors cannot corrupt the cache.
  assert.notEqual(first.tensors.get("b4.lr.u.w")!.data, again.tensors.get("b4.lr.u.w")!.data);
  const refreshed = deriveSubnetWeights(store, plan, { refresh: true });
  assert.equal(refreshed.timings.svdComputed, 1);
  assert.deepEqual(refreshed.tensors.get("b4.lr.u.w")!.data, again.tensors.get("b4.lr.u.w")!.data);
});

Deno.test("markUpdated invalidates cached factors; other stores never share them", async () => {
  clearSvdCache();
  const space = await mnistSpace();
  const store = createWeightStore(space, MNIST_IO, 12);
  const plan = planSubnet(space, parseConfigId(space, LOW_RANK), MNIST_IO);
  const before = deriveSubnetWeights(store, plan).tensors.get("b4.lr.u.w")!;
  const rng = createRng(5);
  const delta = Float64Array.from(readSlice(store, before.source), () => rng.normal());
  addToSlice(store, before.source, delta, 0.1);
  markUpdated(store);
  const after = deriveSubnetWeights(store, plan);
  assert.equal(after.timings.svdComputed, 1);
  assert.notDeepEqual(after.tensors.get("b4.lr.u.w")!.data, before.data);
  for (const { f, u, v } of directFactors(store, plan, after)) {
    assert.deepEqual(u, f.u);
    assert.deepEqual(v, f.v);
  }
  // Same seed, same revision, another store object: computed for it, not served from the first.
  const twin = createWeightStore(space, MNIST_IO, 12);
  twin.revision = store.revision;
  assert.equal(deriveSubnetWeights(twin, plan).timings.svdComputed, 1);
});

/** Flips every singular pair of `d` whose left vector's first non-zero entry is negative. */
function canonical(d: Svd): Svd {
  const flip = d.u.map((u) => (u.find((x) => Math.abs(x) > 1e-9) ?? 1) < 0 ? -1 : 1);
  return {
    u: d.u.map((u, j) => u.map((x) => flip[j] * x)),
    s: d.s,
    v: d.v.map((v, j) => v.map((x) => flip[j] * x)),
  };
}

for (const [cout, cols] of [[16, 72], [48, 24]]) {
  Deno.test(`rank-r factors from one full SVD match a direct rank-r SVD (${cout}x${cols})`, () => {
    const rng = createRng(cout + cols);
    const w = Float32Array.from({ length: cout * cols }, () => rng.normal());
    const full = svd(w, cout, cols);
    // An independent direct computation: the SVD of W^T runs Jacobi on the other orientation.
    const wt = new Float64Array(cols * cout);
    for (let o = 0; o < cout; o++) {
      for (let i = 0; i < cols; i++) wt[i * cout + o] = w[o * cols + i];
    }
    const t = svd(wt, cols, cout);
    const direct = canonical({ u: t.v, s: t.s, v: t.u });
    const shared = canonical(full);
    for (const rank of [1, Math.floor(Math.min(cout, cols) / 4), Math.min(cout, cols) - 1]) {
      const a = factorsFromSvd(shared, cout, cols, rank);
      const b = factorsFromSvd(direct, cout, cols, rank);
      const diff = (x: Float32Array, y: Float32Array) =>
        Math.max(...x.map((v, i) => Math.abs(v - y[i])));
      assert.ok(diff(a.u, b.u) < 1e-5 && diff(a.v, b.v) < 1e-5, `rank ${rank} factors differ`);
      // The shared SVD's factors are exactly the one-shot lowRankFactors', so they reconstruct
      // identically; the independent SVD's reconstruct the same rank-r weight.
      const one = lowRankFactors(w, cout, cols, rank);
      const fromFull = factorsFromSvd(full, cout, cols, rank);
      assert.deepEqual(fromFull.u, one.u);
      assert.deepEqual(fromFull.v, one.v);
      const pa = lowRankProduct(fromFull, cout, cols, rank);
      assert.deepEqual(pa, lowRankProduct(one, cout, cols, rank));
      const pb = lowRankProduct(b, cout, cols, rank);
      assert.ok(Math.max(...pa.map((v, i) => Math.abs(v - pb[i]))) < 1e-5);
    }
    assert.throws(() => factorsFromSvd(full, cout, cols, Math.min(cout, cols) + 1), RangeError);
    assert.throws(() => factorsFromSvd(full, cout + 1, cols, 1), RangeError);
  });
}

Deno.test("precomputeLowRank covers every low-rank slice of the space", async () => {
  clearSvdCache();
  const space = await mnistSpace();
  const store = createWeightStore(space, MNIST_IO, 13);
  const first = precomputeLowRank(store, space);
  assert.ok(first.computed > 0);
  assert.equal(first.cached, 0);
  assert.deepEqual(precomputeLowRank(store, space), { computed: 0, cached: first.computed });
  assert.equal(svdCacheStats().entries, first.computed);
  const rng = createRng(21);
  let lowRank = 0;
  for (let i = 0; i < 200; i++) {
    const w = deriveSubnetWeights(store, planSubnet(space, sampleConfig(space, rng), MNIST_IO));
    assert.equal(w.timings.svdComputed, 0);
    lowRank += w.timings.svdCached;
  }
  assert.ok(lowRank > 0, "no sampled configuration had a low-rank block");
  markUpdated(store);
  assert.deepEqual(precomputeLowRank(store, space), first);
});

Deno.test("the cache stays within its byte budget, evicting least recently used", async () => {
  clearSvdCache();
  const space = await mnistSpace();
  const store = createWeightStore(space, MNIST_IO, 14);
  const slice = { tensor: "b4.conv.w", rows: [0, 64], cols: [0, 32], derived: null } as const;
  const other = { ...slice, rows: [0, 32] } as const;
  const previous = setSvdCacheLimit(0);
  try {
    assert.equal(cachedLowRankFactors(store, slice, 4).cached, false);
    assert.equal(cachedLowRankFactors(store, slice, 4).cached, false);
    assert.deepEqual(svdCacheStats(), { entries: 0, bytes: 0 });
    setSvdCacheLimit(Number.MAX_SAFE_INTEGER);
    cachedLowRankFactors(store, slice, 4);
    const one = svdCacheStats().bytes;
    cachedLowRankFactors(store, other, 4);
    cachedLowRankFactors(store, slice, 2); // `slice` is now the most recently used
    setSvdCacheLimit(one);
    assert.equal(svdCacheStats().entries, 1);
    assert.equal(cachedLowRankFactors(store, slice, 1).cached, true);
    assert.equal(cachedLowRankFactors(store, other, 1).cached, false);
  } finally {
    setSvdCacheLimit(previous);
  }
});
