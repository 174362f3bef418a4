/**
 * Evaluates current weights on a split with the eval graph: mean loss, accuracy and the
 * top-1 prediction of every sample (for balanced accuracy and macro F1).
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../onnx/graph.ts";
 * import { tensor } from "../onnx/dtype.ts";
 * import { gemm } from "../onnx/ops/nn.ts";
 * import { buildArtifacts } from "./artifacts.ts";
 * import { evaluateSplit } from "./evaluate.ts";
 * import { openSession } from "./ort.ts";
 * const g = new GraphBuilder("lin");
 * const w = g.param("w", tensor("float32", [2, 2], [1, 0, 0, 1]));
 * g.output(gemm(g.input("x", "float32", ["N", 2]), w, undefined, { transB: true }), "logits");
 * const a = buildArtifacts(g.toGraph(), { loss: { kind: "cross-entropy" }, batchSize: 2 });
 * const s = await openSession(a.evalBytes);
 * const values = { w: { shape: [2, 2], data: new Float32Array([1, 0, 0, 1]) } };
 * const samples = { x: new Float32Array([3, 1, 0, 2, 5, 4]), y: new Int32Array([0, 1, 1]) };
 * const r = await evaluateSplit(s, a.eval, values, samples, [2]);
 * console.assert(Math.abs(r.accuracy - 2 / 3) < 1e-9 && r.predictions[2] === 0);
 * await s.release();
 * ```
 *
 * @module
 */
import type { Samples } from "../data/types.ts";
import type { TensorData } from "../onnx/types.ts";
import type { Session } from "../runtime/types.ts";
import type { Param } from "./optimizer.ts";
import type { TrainingGraph } from "./training_graph.ts";

/** Loss, accuracy and predictions on one split. */
export interface SplitResult {
  readonly loss: number;
  readonly accuracy: number;
  readonly predictions: Int32Array;
}

/** Runs the eval graph over `samples` in chunks of `chunk`. */
export async function evaluateSplit(
  session: Session,
  e: TrainingGraph,
  values: Readonly<Record<string, Param>>,
  samples: Samples,
  sampleShape: readonly number[],
  chunk = 500,
): Promise<SplitResult> {
  const n = samples.y.length;
  const size = sampleShape.reduce((p, d) => p * d, 1);
  const base: Record<string, TensorData> = {};
  for (const name of [...e.params, ...e.state]) {
    base[name] = { dtype: "float32", shape: values[name].shape, data: values[name].data };
  }
  const predictions = new Int32Array(n);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    const y = new BigInt64Array(m);
    for (let i = 0; i < m; i++) y[i] = BigInt(samples.y[start + i]);
    const out = await session.run({
      ...base,
      [e.data]: {
        dtype: "float32",
        shape: [m, ...sampleShape],
        data: samples.x.subarray(start * size, (start + m) * size),
      },
      [e.labels]: { dtype: "int64", shape: [m], data: y },
    }, [e.loss, e.correct, e.logits!]);
    lossSum += Number(out[e.loss].data[0]) * m;
    correct += Number(out[e.correct].data[0]);
    const logits = out[e.logits!].data as Float32Array;
    const k = logits.length / m;
    for (let i = 0; i < m; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (logits[i * k + c] > logits[i * k + best]) best = c;
      predictions[start + i] = best;
    }
  }
  return { loss: n ? lossSum / n : NaN, accuracy: n ? correct / n : NaN, predictions };
}
