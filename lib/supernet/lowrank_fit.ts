/**
 * Activation-aware low-rank factors: the rank-r factors of a shared conv weight `W` that
 * minimise the conv's *output* error on calibration inputs, `E ||(W - W_r) p||^2` over the
 * input patches `p` the conv sees, instead of the weight's own error `||W - W_r||_F` (plain
 * SVD, `svd.ts`). With the patches' second moment `C = E[p p^T] = L L^T` (Cholesky), the
 * minimiser is `W_r = [W L]_r L^{-1}`, `[.]_r` the rank-r truncated SVD; so one SVD of `W L`
 * and a triangular solve per factor row. Retraining-free, like the rest of the evolution: it
 * uses the few hundred training samples BN recalibration already reads.
 *
 * The patches are those of the network the supernet trained: every low-rank block running as
 * its full conv (straight-through training, `train_graph.ts`), BatchNorm on batch statistics.
 * One pass of that graph over the calibration samples gives every low-rank block's `C`
 * (`momentModel`: each patch matrix is a Conv with one-hot kernels, `C` a batched MatMul).
 *
 * Measured (paper suite supernets, 256 samples, test accuracy derived without retraining;
 * spanning set = the three sampled configurations with low-rank blocks, mean gap to the same
 * configurations trained alone over all five):
 * - har, supernet 0: `b0:lr.25-w.5|b1:lr.5|b2:dw-w1|b3:conv|b4:conv-w.5` 82.50% plain SVD ->
 *   90.69% fitted (90.57% trained alone, mean of 2 seeds); low-rank 0.5 everywhere 87.43% ->
 *   92.11%; spanning mean gap 2.03 -> 0.40 points. Supernet 1: the same configuration 61.11% ->
 *   85.43%, mean gap 7.67 -> 4.15, but `b0:lr.25-w.75|b1:dw|b2:conv-w.75|b3:lr.5|b4:dw-w1` 91.23%
 *   -> 85.58% (its first block's fit).
 * - mnist, supernet 0: mixed, within 1 point: two configurations with a rank-0.25 first block
 *   0.4-1.0 points lower, one 0.25 higher, low-rank everywhere 97.02% -> 97.45%; mean gap 0.80 ->
 *   1.02.
 * - Broader samples (the profile's sampled configurations with low-rank blocks, fitted minus
 *   plain, in points): har 60, test +1.16 mean (34 better, 26 worse), validation -0.53; mnist 40,
 *   test -0.10, validation -0.19 (median +0.05); sensor 336, validation +0.16 accuracy, +4.37
 *   balanced accuracy (201 better, 99 worse). Single configurations move up to 20 points either
 *   way: the fit is output-optimal per block, not end to end.
 * Not adopted: the centred covariance (BN removes a constant output error; mnist 0.89, har 0.71
 * and 4.29), output rows weighted by BN's 1/sigma or gamma/sigma (har supernet 0 1.99 / 1.66),
 * and choosing per configuration between fitted and plain by whose logits on the calibration
 * samples are nearer the straight-through net's (right on mnist, 0.75; wrong on har supernet 0's
 * rank-0.25 configuration, 2.04).
 *
 * @module
 */
import { CholeskyDecomposition, Matrix } from "ml-matrix";
import { GraphBuilder, type Tensor } from "../onnx/graph.ts";
import { reduceSum } from "../onnx/ops/math.ts";
import { conv, matMul } from "../onnx/ops/nn.ts";
import { reshape, transpose } from "../onnx/ops/shape.ts";
import type { ModelData } from "../onnx/types.ts";
import type { SubnetWeights } from "./derive.ts";
import { batchStatBnRelu, convOptions, emitBackbone, weightConv } from "./emit.ts";
import type { PlanConv, SubnetPlan } from "./plan.ts";
import { readSlice, sliceShape } from "./slice.ts";
import { factorsFromSvd, type LowRankFactors, svd } from "./svd.ts";
import type { WeightStore } from "./weights.ts";

/**
 * Names how low-rank factors are derived; part of every cache key and stamp holding derived
 * accuracies or statistics, so figures made by the plain-SVD derivation are never reused.
 */
export const LOW_RANK_DERIVATION = "activation-aware-v1";

/**
 * Tikhonov damping of `C`, relative to its mean diagonal: keeps `L` invertible where patches
 * span less than every direction (dead channels, zero padding). Measured on har: 1e-3, 1e-2 and
 * 1e-1 gave the same accuracies within 0.4 points.
 */
export const FIT_DAMPING = 1e-2;

/** The store prefix of a low-rank conv pair (`b4.lr` for `b4.lr.u`). */
export function lowRankPrefix(c: PlanConv): string {
  return c.name.slice(0, -2);
}

/** The plan's first low-rank factor convs (`*.lr.u`), in network order. */
export function lowRankConvs(plan: SubnetPlan): PlanConv[] {
  return plan.blocks.flatMap((b) => b.stages.flat()).filter((c) =>
    c.weight.derived?.kind === "svd-u"
  );
}

/**
 * The rank-`rank` factors of `weight` (`cout x cols`, row-major) minimising the output error on
 * inputs with second moment `moment` (`cols x cols`); the same layout as `lowRankFactors`
 * (`u = sqrt(S_r) V_r^T L^{-1}`, `v = U_r sqrt(S_r)`). Falls back to the plain SVD factors when
 * `moment` is zero (no signal to weight by).
 *
 * @example
 * ```ts
 * import { activationAwareFactors } from "./lowrank_fit.ts";
 * import { lowRankFactors } from "./svd.ts";
 * // Identity moment: every direction weighs the same, so the plain SVD is the optimum.
 * const w = new Float32Array([3, 1, 0, 1, 2, 0]);
 * const eye = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
 * const a = activationAwareFactors(w, 2, 3, 1, eye, 0), b = lowRankFactors(w, 2, 3, 1);
 * console.assert(Math.abs(Math.abs(a.u[0] * a.v[0]) - Math.abs(b.u[0] * b.v[0])) < 1e-5);
 * ```
 */
export function activationAwareFactors(
  weight: ArrayLike<number>,
  cout: number,
  cols: number,
  rank: number,
  moment: ArrayLike<number>,
  damping = FIT_DAMPING,
): LowRankFactors {
  let trace = 0;
  for (let i = 0; i < cols; i++) trace += moment[i * cols + i];
  if (!(trace > 0)) return factorsFromSvd(svd(weight, cout, cols), cout, cols, rank);
  const ridge = (damping * trace) / cols;
  const c = new Matrix(cols, cols);
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j < cols; j++) c.set(i, j, moment[i * cols + j] + (i === j ? ridge : 0));
  }
  const chol = new CholeskyDecomposition(c);
  if (!chol.isPositiveDefinite()) return factorsFromSvd(svd(weight, cout, cols), cout, cols, rank);
  const l = chol.lowerTriangularMatrix;
  const w = new Matrix(cout, cols);
  for (let o = 0; o < cout; o++) for (let i = 0; i < cols; i++) w.set(o, i, weight[o * cols + i]);
  const d = svd(w.mmul(l).to1DArray(), cout, cols);
  if (rank < 1 || rank > d.s.length || !Number.isInteger(rank)) {
    throw new RangeError(`rank ${rank} is outside 1..${d.s.length}`);
  }
  const u = new Float32Array(rank * cols), v = new Float32Array(cout * rank);
  const y = new Float64Array(cols);
  for (let j = 0; j < rank; j++) {
    const root = Math.sqrt(d.s[j]);
    // Row j of V_r^T L^{-1}: solve L^T y = v_j by back substitution.
    for (let i = cols - 1; i >= 0; i--) {
      let s = d.v[j][i];
      for (let q = i + 1; q < cols; q++) s -= l.get(q, i) * y[q];
      y[i] = s / l.get(i, i);
    }
    for (let i = 0; i < cols; i++) u[j * cols + i] = root * y[i];
    for (let o = 0; o < cout; o++) v[o * rank + j] = root * d.u[j][o];
  }
  return { u, v };
}

/** One-hot kernels `[cols, cin, k...]`: a Conv with them outputs the input patches as channels. */
function patchKernels(c: PlanConv, dims: number): { shape: number[]; data: Float32Array } {
  const taps = c.kernel ** dims, cols = c.cin * taps;
  const data = new Float32Array(cols * cols);
  for (let i = 0; i < cols; i++) data[i * cols + i] = 1;
  return { shape: [cols, c.cin, ...Array<number>(dims).fill(c.kernel)], data };
}

/**
 * `[cols, cols]`: the sum over the batch and output positions of `p p^T`, `p` the input patch
 * (`cols = cin * k^dims`, in the conv weight's row-major order) that conv `c` reads at each
 * position, with its padding and stride. Each patch matrix is a Conv with one-hot kernels.
 */
export function patchMoment(x: Tensor, c: PlanConv, dims: number, name: string): Tensor {
  const k = patchKernels(c, dims), cols = k.shape[0];
  const patches = reshape(
    conv(x, x.graph.param(`${name}.patches`, { dtype: "float32", ...k }), undefined, {
      ...convOptions(c, dims),
      name: `${name}.patches`,
    }),
    [0, cols, -1],
  );
  const outer = matMul(patches, transpose(patches, [0, 2, 1]));
  return reduceSum(outer, [0], { keepDims: false, name: `${name}.moment` });
}

/**
 * The probe graph of a plan: the straight-through forward (low-rank blocks as their full conv,
 * BN on batch statistics) with output `<prefix>.moment` `[cols, cols]` per low-rank block: the
 * sum over the batch's patches of `p p^T` (scale does not matter: the fit is invariant to it).
 */
export function momentModel(
  store: WeightStore,
  plan: SubnetPlan,
  weights: SubnetWeights,
  inputShape: readonly number[],
): { model: ModelData; prefixes: string[] } {
  const g = new GraphBuilder("lowrank-moments");
  const input = g.input("input", "float32", ["N", ...inputShape]);
  const prefixes: string[] = [];
  const layer = (x: Tensor, c: PlanConv): Tensor => {
    const kind = c.weight.derived?.kind;
    // svd-v: its BN (and ReLU) on the full conv's output, which ran in svd-u.
    if (kind === "svd-v") return batchStatBnRelu(x, c, weights, plan.dims).out;
    if (kind === "svd-u") {
      const prefix = lowRankPrefix(c);
      g.output(patchMoment(x, c, plan.dims, prefix), `${prefix}.moment`);
      prefixes.push(prefix);
      const full = { ...c.weight, derived: null };
      const w = g.param(`${c.name}.full`, {
        dtype: "float32",
        shape: sliceShape(store, full),
        data: readSlice(store, full),
      });
      return conv(x, w, undefined, convOptions(c, plan.dims));
    }
    const y = weightConv(x, c, weights, plan.dims);
    return c.bn === null ? y : batchStatBnRelu(y, c, weights, plan.dims).out;
  };
  g.output(emitBackbone(plan, input, layer), "features");
  return { model: g.toModel(), prefixes };
}

/** Fitted factors by low-rank prefix (`b4.lr`), and the milliseconds the fit took. */
export interface LowRankFit {
  readonly factors: ReadonlyMap<string, LowRankFactors>;
  /** Graph build + session, the pass over the samples, the Cholesky/SVD solves. */
  readonly timings: { readonly build: number; readonly run: number; readonly solve: number };
}

/**
 * Fits every low-rank block of `plan` to the calibration inputs: one pass of
 * {@link momentModel} (`run` sums each output over the batches), then
 * {@link activationAwareFactors} per block.
 */
export async function fitLowRank(
  store: WeightStore,
  plan: SubnetPlan,
  weights: SubnetWeights,
  inputShape: readonly number[],
  run: (model: ModelData, outputs: readonly string[]) => Promise<Map<string, Float64Array>>,
): Promise<LowRankFit> {
  const t0 = performance.now();
  const { model, prefixes } = momentModel(store, plan, weights, inputShape);
  const t1 = performance.now();
  const moments = await run(model, prefixes.map((p) => `${p}.moment`));
  const t2 = performance.now();
  const factors = new Map<string, LowRankFactors>();
  for (const c of lowRankConvs(plan)) {
    const prefix = lowRankPrefix(c);
    const full = { ...c.weight, derived: null };
    const shape = sliceShape(store, full), cout = shape[0];
    const cols = shape.slice(1).reduce((a, b) => a * b, 1);
    const m = moments.get(`${prefix}.moment`)!;
    factors.set(
      prefix,
      activationAwareFactors(readSlice(store, full), cout, cols, c.weight.derived!.rank, m),
    );
  }
  return { factors, timings: { build: t1 - t0, run: t2 - t1, solve: performance.now() - t2 } };
}
