/**
 * Gradient checking: compares the gradients the autodiff table emits with float64 central
 * finite differences, both evaluated by the float64 reference interpreter
 * (lib/onnx/reference).
 *
 * Tolerances, and why: in float64 with step `eps = 1e-6` the central difference has
 * truncation error O(eps^2 f''') ~ 1e-12 and rounding error ~ 1e-16 |f| / eps ~ 1e-10 |f|,
 * so `|analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|)` with `rtol = 1e-5`,
 * `atol = 1e-6` leaves three orders of margin and still catches any wrong rule (a wrong rule
 * is off by O(1)). Piecewise-linear ops (ReLU, Clip, MaxPool) have kinks; with a 1e-6 step a
 * random input lands within reach of one with probability ~1e-6 per element, so the check
 * stays exact in practice.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../onnx/graph.ts";
 * import { createRng } from "../util/rng.ts";
 * import { checkGradients, randomTensor, scalarProbe } from "./gradcheck.ts";
 * const rng = createRng(1);
 * const g = new GraphBuilder("t");
 * const x = g.input("x", "float32", [2, 3]);
 * g.output(scalarProbe(g.add1("Tanh", [x]), rng), "loss");
 * const r = checkGradients(g.toGraph(), "loss", ["x"], { x: randomTensor(rng, [2, 3]) });
 * console.assert(r.ok);
 * ```
 *
 * @module
 */
import { sizeOf, tensor } from "../onnx/dtype.ts";
import { GraphBuilder, type Tensor } from "../onnx/graph.ts";
import { mul, reduceSum } from "../onnx/ops/math.ts";
import { evaluate, type RefTensor } from "../onnx/reference/mod.ts";
import type { GraphData, TensorData } from "../onnx/types.ts";
import type { Rng } from "../util/rng.ts";
import { gradients } from "./autodiff/mod.ts";
import type { TrainingGraph } from "./training_graph.ts";

/** Options of {@link checkGradients}. */
export interface GradCheckOptions {
  /** Finite-difference step (default 1e-6). */
  readonly eps?: number;
  /** Relative tolerance (default 1e-5). */
  readonly rtol?: number;
  /** Absolute tolerance (default 1e-6). */
  readonly atol?: number;
  /** Elements checked per tensor, spread evenly (default 24; all when smaller). */
  readonly perTensor?: number;
}

/** One compared element. */
export interface GradSample {
  readonly tensor: string;
  readonly index: number;
  readonly analytic: number;
  readonly numeric: number;
}

/** Result of {@link checkGradients}. */
export interface GradCheckReport {
  readonly ok: boolean;
  /** Elements compared. */
  readonly checked: number;
  /** Elements outside tolerance (at most 10 kept). */
  readonly failures: readonly GradSample[];
  /** Largest `|analytic - numeric| / (atol + rtol * scale)` seen (<= 1 passes). */
  readonly worstRatio: number;
}

/** A float32 tensor of uniform values in `[lo, hi)` (default [-1, 1)). */
export function randomTensor(rng: Rng, shape: readonly number[], lo = -1, hi = 1): TensorData {
  const n = sizeOf(shape);
  return tensor("float32", shape, Array.from({ length: n }, () => rng.uniform(lo, hi)));
}

/** `sum(t * r)` for a fixed random `r`: a scalar whose gradient w.r.t. `t` is non-uniform. */
export function scalarProbe(t: Tensor, rng: Rng): Tensor {
  const r = t.graph.constant(randomTensor(rng, t.shape as number[]), "probe");
  return reduceSum(mul(t, r), [], { keepDims: false });
}

/** The nodes of `graph` that `outputs` depend on, as a graph with those outputs. */
export function pruneTo(graph: GraphData, outputs: readonly string[]): GraphData {
  const needed = new Set(outputs);
  const kept = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i];
    if (!n.outputs.some((o) => needed.has(o))) continue;
    kept.push(n);
    for (const x of n.inputs) if (x) needed.add(x);
  }
  const types = new Map([...graph.valueInfo, ...graph.outputs].map((v) => [v.name, v]));
  return {
    ...graph,
    nodes: kept.reverse(),
    outputs: outputs.map((o) => types.get(o) ?? { name: o, dtype: "float32" }),
  };
}

function pickIndices(n: number, k: number): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: k }, (_, i) => Math.floor(((i + 0.5) * n) / k));
}

/**
 * Checks d`loss`/d`w` for every `w` in `wrt` (graph inputs, fed in `feeds`): analytic
 * gradients from {@link gradients}, numeric ones from central differences of `loss`.
 */
export function checkGradients(
  graph: GraphData,
  loss: string,
  wrt: readonly string[],
  feeds: Readonly<Record<string, TensorData>>,
  options: GradCheckOptions = {},
): GradCheckReport {
  const g = GraphBuilder.from(graph);
  g.clearOutputs();
  const grads = gradients(g, g.tensor(loss), wrt);
  const names = wrt.map((w) => g.output(grads.get(w)!, `${w}__grad`).name);
  const out = evaluate(g.toGraph(), feeds, { outputs: names });
  const analytic = Object.fromEntries(wrt.map((w, k) => [w, out[names[k]].data]));
  return compareWithFiniteDifferences(graph, loss, analytic, feeds, options);
}

/**
 * Checks a built training graph: its gradient outputs against central differences of its
 * loss output, for every parameter.
 */
export function checkTrainingGraph(
  t: TrainingGraph,
  feeds: Readonly<Record<string, TensorData>>,
  options: GradCheckOptions = {},
): GradCheckReport {
  const names = t.params.map((p) => t.grads[p]);
  const out = evaluate(t.graph, feeds, { outputs: names });
  const analytic = Object.fromEntries(t.params.map((p, k) => [p, out[names[k]].data]));
  return compareWithFiniteDifferences(t.graph, t.loss, analytic, feeds, options);
}

/**
 * Compares `analytic` gradients (by input name) with central differences of `loss` in
 * `graph`, evaluated in float64.
 */
export function compareWithFiniteDifferences(
  graph: GraphData,
  loss: string,
  analytic: Readonly<Record<string, ArrayLike<number>>>,
  feeds: Readonly<Record<string, TensorData>>,
  options: GradCheckOptions = {},
): GradCheckReport {
  const eps = options.eps ?? 1e-6;
  const rtol = options.rtol ?? 1e-5;
  const atol = options.atol ?? 1e-6;
  const lossOnly = pruneTo(graph, [loss]);
  const base: Record<string, RefTensor> = {};
  for (const [k, v] of Object.entries(feeds)) base[k] = toFloat64(v);
  const f = (): number => evaluate(lossOnly, base, { outputs: [loss] })[loss].data[0];
  const failures: GradSample[] = [];
  let checked = 0;
  let worstRatio = 0;
  for (const [w, a] of Object.entries(analytic)) {
    const x = base[w].data;
    for (const i of pickIndices(x.length, options.perTensor ?? 24)) {
      const keep = x[i];
      x[i] = keep + eps;
      const up = f();
      x[i] = keep - eps;
      const down = f();
      x[i] = keep;
      const numeric = (up - down) / (2 * eps);
      const scale = Math.max(Math.abs(a[i]), Math.abs(numeric));
      const ratio = Math.abs(a[i] - numeric) / (atol + rtol * scale);
      worstRatio = Math.max(worstRatio, ratio);
      checked++;
      if (!(ratio <= 1) && failures.length < 10) {
        failures.push({ tensor: w, index: i, analytic: a[i], numeric });
      }
    }
  }
  return { ok: failures.length === 0 && checked > 0, checked, failures, worstRatio };
}

function toFloat64(t: TensorData): RefTensor {
  const data = new Float64Array(t.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Number(t.data[i]);
  return { dtype: t.dtype, shape: [...t.shape], data };
}
