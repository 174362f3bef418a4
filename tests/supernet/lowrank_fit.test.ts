/** Activation-aware low-rank factors: the optimum they solve for, the moment graph, the cache. */
import assert from "node:assert/strict";
import { GraphBuilder } from "../../lib/onnx/graph.ts";
import { encodeModel } from "../../lib/onnx/proto/encode.ts";
import { createSession } from "../../lib/runtime/session.ts";
import { calibrateBn, clearBnCache } from "../../lib/supernet/bn_calibration.ts";
import { activationAwareFactors, patchMoment } from "../../lib/supernet/lowrank_fit.ts";
import { parseConfigId } from "../../lib/supernet/mod.ts";
import type { PlanConv } from "../../lib/supernet/plan.ts";
import { lowRankFactors, lowRankProduct } from "../../lib/supernet/svd.ts";
import { timeEvolution } from "../../lib/supernet/evolve.ts";
import { createRng } from "../../lib/util/rng.ts";
import { mnistSpace, perturbedStore, randomInput } from "./store_fixtures.ts";

const LR_ID = "b0:conv-w.75|b1:fire|b2:dw-w.5|b3:lr.5|b4:lr.25-w.5";
const PLAIN_ID = "b0:conv-w1|b1:conv|b2:conv-w1|b3:conv|b4:conv-w1";

const normals = (n: number, seed: number) => {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
};

/** `tr(D C D^T)` with `D = W - W_r`: the mean squared output error over inputs of moment C. */
function outputError(w: ArrayLike<number>, wr: ArrayLike<number>, c: Float64Array, rows: number) {
  const cols = Math.sqrt(c.length);
  let e = 0;
  for (let o = 0; o < rows; o++) {
    for (let i = 0; i < cols; i++) {
      const di = w[o * cols + i] - wr[o * cols + i];
      for (let j = 0; j < cols; j++) {
        e += di * c[i * cols + j] * (w[o * cols + j] - wr[o * cols + j]);
      }
    }
  }
  return e;
}

/** Second moment of `n` patches whose coordinates have very different scales. */
function anisotropicMoment(cols: number, n: number, seed: number): Float64Array {
  const x = normals(cols * n, seed);
  const c = new Float64Array(cols * cols);
  for (let s = 0; s < n; s++) {
    const p = Array.from({ length: cols }, (_, i) => x[s * cols + i] * (i % 5 === 0 ? 4 : 0.3));
    for (let i = 0; i < cols; i++) {
      for (let j = 0; j < cols; j++) c[i * cols + j] += p[i] * p[j] / n;
    }
  }
  return c;
}

/** The rank-r weight of the fitted factors (`damping` as given) and of the plain SVD's. */
const fittedWeight = (
  w: Float32Array,
  [cout, cols, rank]: number[],
  moment: Float64Array,
  damping: number,
) => lowRankProduct(activationAwareFactors(w, cout, cols, rank, moment, damping), cout, cols, rank);
const plainWeight = (w: Float32Array, [cout, cols, rank]: number[]) =>
  lowRankProduct(lowRankFactors(w, cout, cols, rank), cout, cols, rank);

Deno.test("activation-aware factors: the identity moment gives the plain SVD's rank-r weight", () => {
  const [cout, cols, rank] = [6, 10, 3];
  const w = Float32Array.from(normals(cout * cols, 1));
  const eye = new Float64Array(cols * cols).map((_, k) => k % (cols + 1) === 0 ? 1 : 0);
  const fitted = fittedWeight(w, [cout, cols, rank], eye, 0);
  const plain = plainWeight(w, [cout, cols, rank]);
  for (let i = 0; i < fitted.length; i++) assert.ok(Math.abs(fitted[i] - plain[i]) < 1e-5);
});

Deno.test("activation-aware factors: less output error than plain SVD, more weight error", () => {
  const [cout, cols, rank] = [12, 30, 4];
  const w = Float32Array.from(normals(cout * cols, 2));
  const c = anisotropicMoment(cols, 400, 3);
  const fitted = fittedWeight(w, [cout, cols, rank], c, 0);
  const plain = plainWeight(w, [cout, cols, rank]);
  const eFit = outputError(w, fitted, c, cout), ePlain = outputError(w, plain, c, cout);
  assert.ok(eFit < 0.8 * ePlain, `output error fitted ${eFit} vs plain ${ePlain}`);
  const frob = (wr: Float64Array) => wr.reduce((s, v, i) => s + (w[i] - v) ** 2, 0);
  assert.ok(frob(plain) < frob(fitted), "plain SVD is the weight-error optimum");
  // Damping pulls the fit toward the plain SVD: the error lies between the two.
  const damped = fittedWeight(w, [cout, cols, rank], c, 10);
  const eDamped = outputError(w, damped, c, cout);
  assert.ok(eFit <= eDamped && eDamped <= ePlain * 1.0001, `${eFit} <= ${eDamped} <= ${ePlain}`);
});

Deno.test("activation-aware factors: full rank reconstructs the weight; a zero moment is plain SVD", () => {
  const [cout, cols] = [5, 9];
  const w = Float32Array.from(normals(cout * cols, 4));
  const c = anisotropicMoment(cols, 100, 5);
  const back = lowRankProduct(activationAwareFactors(w, cout, cols, cout, c), cout, cols, cout);
  for (let i = 0; i < back.length; i++) assert.ok(Math.abs(back[i] - w[i]) < 1e-4, `${i}`);
  const zero = activationAwareFactors(w, cout, cols, 2, new Float64Array(cols * cols));
  const plain = lowRankFactors(w, cout, cols, 2);
  assert.deepEqual([...zero.u], [...plain.u]);
  assert.deepEqual([...zero.v], [...plain.v]);
});

/** Direct sum of p p^T over every output position's patch (zero padding, stride). */
function directMoment(
  x: Float32Array,
  [n, cin, ...spatial]: number[],
  k: number,
  stride: number,
): Float64Array {
  const dims = spatial.length, pad = Math.floor(k / 2), taps = k ** dims, cols = cin * taps;
  const outSize = spatial.map((s) => Math.floor((s + 2 * pad - k) / stride) + 1);
  const m = new Float64Array(cols * cols);
  const positions = outSize.reduce((a, b) => a * b, 1);
  for (let s = 0; s < n; s++) {
    for (let o = 0; o < positions; o++) {
      const at = dims === 1 ? [o] : [Math.floor(o / outSize[1]), o % outSize[1]];
      const p = new Float64Array(cols);
      for (let ci = 0; ci < cin; ci++) {
        for (let t = 0; t < taps; t++) {
          const off = dims === 1 ? [t] : [Math.floor(t / k), t % k];
          const pos = at.map((a, d) => a * stride - pad + off[d]);
          if (pos.some((q, d) => q < 0 || q >= spatial[d])) continue;
          const flat = dims === 1 ? pos[0] : pos[0] * spatial[1] + pos[1];
          p[ci * taps + t] = x[(s * cin + ci) * spatial.reduce((a, b) => a * b, 1) + flat];
        }
      }
      for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) m[i * cols + j] += p[i] * p[j];
    }
  }
  return m;
}

for (const shape of [[2, 3, 16], [2, 2, 7, 7]]) {
  const dims = shape.length - 2;
  Deno.test(`patch moment in ONNX Runtime equals the direct sum (conv${dims}d, stride 2)`, async () => {
    const [k, stride] = [dims === 1 ? 5 : 3, 2];
    const c = { name: "b0.lr.u", cin: shape[1], kernel: k, stride, groups: 1 } as PlanConv;
    const g = new GraphBuilder("moment");
    const x = g.input("x", "float32", shape);
    g.output(patchMoment(x, c, dims, "b0.lr"), "moment");
    const data = Float32Array.from(normals(shape.reduce((a, b) => a * b, 1), 6));
    const session = await createSession(encodeModel(g.toModel()), { cache: false });
    const out = await session.run({ x: { dtype: "float32", shape, data } }, ["moment"]);
    await session.release();
    const want = directMoment(data, shape, k, stride), got = out.moment.data as Float32Array;
    assert.equal(got.length, want.length);
    for (let i = 0; i < want.length; i++) {
      assert.ok(Math.abs(got[i] - want[i]) < 1e-3 * (1 + Math.abs(want[i])), `${i}`);
    }
  });
}

Deno.test("BN calibration fits low-rank blocks and caches the factors with the statistics", async () => {
  const space = await mnistSpace();
  const store = perturbedStore(space, 12);
  const config = parseConfigId(space, LR_ID);
  const data = { x: randomInput(6, 21).data, inputShape: [1, 28, 28], key: "fit-test" };
  const dir = await Deno.makeTempDir();
  try {
    clearBnCache();
    const fitted = await calibrateBn(store, space, config, data, { samples: 6, cacheDir: dir });
    assert.deepEqual([...fitted.lowRank.keys()], ["b3.lr", "b4.lr"]);
    assert.ok(fitted.timings.fit > 0);
    const plain = await calibrateBn(store, space, config, data, { samples: 6, fitLowRank: false });
    assert.equal(plain.lowRank.size, 0);
    assert.equal(plain.cached, null, "fitted and plain statistics are cached apart");
    // The statistics after a fitted block are not the plain SVD's.
    const a = fitted.stats.get("b3.lr.bn")!.mean, b = plain.stats.get("b3.lr.bn")!.mean;
    assert.ok(a.some((v, i) => Math.abs(v - b[i]) > 1e-6));
    clearBnCache();
    const disk = await calibrateBn(store, space, config, data, { samples: 6, cacheDir: dir });
    assert.equal(disk.cached, "disk");
    for (const [k, f] of fitted.lowRank) {
      assert.deepEqual([...disk.lowRank.get(k)!.u], [...f.u]);
      assert.deepEqual([...disk.lowRank.get(k)!.v], [...f.v]);
    }
    const none = parseConfigId(space, PLAIN_ID);
    assert.equal((await calibrateBn(store, space, none, data, { samples: 6 })).lowRank.size, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("evolution timing: the fit is a phase of the uncached calibration, none without low rank", async () => {
  const space = await mnistSpace();
  const store = perturbedStore(space, 3);
  const data = { x: randomInput(4, 5).data, inputShape: [1, 28, 28], key: "evolve-fit" };
  const o = { repeat: 2, warmup: 0, data, samples: 4 };
  const lr = await timeEvolution(store, space, parseConfigId(space, LR_ID), o);
  assert.ok(lr.runs["fit.uncached"].every((ms) => ms > 0));
  lr.runs["fit.uncached"].forEach((ms, i) => assert.ok(ms <= lr.runs["calibrate.uncached"][i]));
  const plain = await timeEvolution(store, space, parseConfigId(space, PLAIN_ID), o);
  assert.deepEqual(plain.runs["fit.uncached"], [0, 0]);
});
