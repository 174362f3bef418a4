/**
 * Runs training steps on ONNX Runtime: in this thread on one session, or data-parallel on a
 * worker pool (each worker a single-threaded ORT holding the training graph for its share of
 * the batch). Gradients are averaged over workers (each worker's loss is a mean over an equal
 * share, so the average is the full-batch gradient); BN running statistics are averaged too
 * (per-worker batch statistics, as in non-synchronised data-parallel BN). A distillation
 * graph takes the teacher's logits for each batch (`step(..., { teacherLogits })`), split over
 * workers like the batch.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../onnx/graph.ts";
 * import { tensor } from "../onnx/dtype.ts";
 * import { gemm } from "../onnx/ops/nn.ts";
 * import { buildArtifacts } from "./artifacts.ts";
 * import { createEngine } from "./engine.ts";
 * const g = new GraphBuilder("lin");
 * const w = g.param("w", tensor("float32", [2, 3], [0, 0, 0, 0, 0, 0]));
 * g.output(gemm(g.input("x", "float32", ["N", 3]), w, undefined, { transB: true }), "logits");
 * const a = buildArtifacts(g.toGraph(), { loss: { kind: "cross-entropy" }, batchSize: 2 });
 * const engine = await createEngine(a.training, a.trainingBytes, { workers: 1, backend: "web", sampleShape: [3] });
 * const params = { w: { shape: [2, 3], data: new Float32Array(6) } };
 * const r = await engine.step(params, {}, new Float32Array([1, 0, 0, 0, 1, 0]), new BigInt64Array([0n, 1n]));
 * console.assert(Math.abs(r.loss - Math.log(2)) < 1e-6 && r.grads.w.length === 6);
 * await engine.close();
 * ```
 *
 * @module
 */
import { AdaspringError } from "../errors.ts";
import type { TensorData } from "../onnx/types.ts";
import { WorkerPool } from "../runtime/pool.ts";
import type { BackendName } from "../runtime/types.ts";
import type { Param } from "./optimizer.ts";
import { openSession } from "./ort.ts";
import type { TrainingGraph } from "./training_graph.ts";

/** One step's outputs (means over the batch, correct count summed). */
export interface StepResult {
  readonly loss: number;
  readonly correct: number;
  readonly grads: Record<string, Float32Array>;
  readonly state: Record<string, Float32Array>;
}

/** Per-batch inputs beyond data and labels. */
export interface StepExtras {
  /**
   * Teacher logits `[batch, classes]` (row-major) for a distillation training graph; split
   * over workers like the batch. Required when the graph has a `teacher_logits` input.
   */
  readonly teacherLogits?: Float32Array;
}

/** Executes training steps on batches of `batchSize` samples. */
export interface StepEngine {
  readonly batchSize: number;
  readonly workers: number;
  step(
    params: Readonly<Record<string, Param>>,
    state: Readonly<Record<string, Param>>,
    x: Float32Array,
    y: BigInt64Array,
    extras?: StepExtras,
  ): Promise<StepResult>;
  close(): Promise<void>;
}

function f32(p: Param): TensorData {
  return { dtype: "float32", shape: p.shape, data: p.data };
}

function feedsOf(
  t: TrainingGraph,
  params: Readonly<Record<string, Param>>,
  state: Readonly<Record<string, Param>>,
  x: Float32Array,
  y: BigInt64Array,
  sampleShape: readonly number[],
  teacher?: Float32Array,
): Record<string, TensorData> {
  const feeds: Record<string, TensorData> = {};
  for (const p of t.params) feeds[p] = f32(params[p]);
  for (const s of t.state) feeds[s] = f32(state[s]);
  feeds[t.data] = { dtype: "float32", shape: [y.length, ...sampleShape], data: x };
  feeds[t.labels] = { dtype: "int64", shape: [y.length], data: y };
  if (t.teacher && teacher) {
    feeds[t.teacher] = {
      dtype: "float32",
      shape: [y.length, teacher.length / y.length],
      data: teacher,
    };
  }
  return feeds;
}

/**
 * Checks `extras` against the graph: teacher logits are required by (and only accepted for)
 * a distillation graph, with `classes` values per sample. Returns the logits or undefined.
 */
function teacherOf(
  t: TrainingGraph,
  batch: number,
  classes: number,
  extras: StepExtras | undefined,
): Float32Array | undefined {
  const logits = extras?.teacherLogits;
  if (!t.teacher) {
    if (logits) {
      throw new AdaspringError(
        "engine: teacher logits were given but the training graph has no distillation loss; " +
          'build it with loss {kind: "distillation"}',
      );
    }
    return undefined;
  }
  if (!logits) {
    throw new AdaspringError(
      `engine: the training graph has a distillation loss; pass {teacherLogits} ` +
        `([${batch}, ${classes}] float32) to step()`,
    );
  }
  if (logits.length !== batch * classes) {
    throw new AdaspringError(
      `engine: teacher logits hold ${logits.length} values, expected ${batch} x ${classes} ` +
        `= ${batch * classes}`,
    );
  }
  return logits;
}

function fetchesOf(t: TrainingGraph): string[] {
  return [t.loss, t.correct, ...Object.values(t.grads), ...Object.values(t.stateUpdates)];
}

/** Creates an engine: one session here when `workers` is 1, else a pool of `workers`. */
export async function createEngine(
  t: TrainingGraph,
  bytes: Uint8Array,
  o: { workers: number; backend: BackendName; sampleShape: readonly number[] },
): Promise<StepEngine> {
  const perWorker = t.graph.inputs.find((v) => v.name === t.data)!.shape![0] as number;
  const fetches = fetchesOf(t);
  const sampleSize = o.sampleShape.reduce((p, d) => p * d, 1);
  const classes = teacherClasses(t);
  if (o.workers === 1) {
    const session = await openSession(bytes, o.backend);
    return {
      batchSize: perWorker,
      workers: 1,
      async step(params, state, x, y, extras) {
        const teacher = teacherOf(t, y.length, classes, extras);
        const feeds = feedsOf(t, params, state, x, y, o.sampleShape, teacher);
        const out = await session.run(feeds, fetches);
        return collect(t, [out]);
      },
      close: () => session.release(),
    };
  }
  const pool = WorkerPool.create({ size: o.workers, backend: o.backend });
  try {
    const model = await pool.load(bytes, { source: "training_model.onnx", cache: false });
    return {
      batchSize: perWorker * o.workers,
      workers: o.workers,
      async step(params, state, x, y, extras) {
        if (y.length !== perWorker * o.workers) {
          throw new AdaspringError(
            `engine: batch of ${y.length}, expected ${perWorker * o.workers}`,
          );
        }
        const teacher = teacherOf(t, y.length, classes, extras);
        const feeds = Array.from({ length: o.workers }, (_, k) =>
          feedsOf(
            t,
            params,
            state,
            x.subarray(k * perWorker * sampleSize, (k + 1) * perWorker * sampleSize),
            y.subarray(k * perWorker, (k + 1) * perWorker),
            o.sampleShape,
            teacher?.subarray(k * perWorker * classes, (k + 1) * perWorker * classes),
          ));
        return collect(t, await pool.runAll(model, feeds, { fetches }));
      },
      close: () => pool.close(),
    };
  } catch (e) {
    await pool.close();
    throw e;
  }
}

/** Classes per teacher-logit row (0 without distillation). */
function teacherClasses(t: TrainingGraph): number {
  if (!t.teacher) return 0;
  const shape = t.graph.inputs.find((v) => v.name === t.teacher)?.shape;
  const k = shape?.[1];
  if (typeof k !== "number") {
    throw new AdaspringError(`engine: teacher input "${t.teacher}" needs a static class count`);
  }
  return k;
}

/** Averages worker outputs (loss, gradients, running statistics); sums correct counts. */
function collect(t: TrainingGraph, outs: readonly Record<string, TensorData>[]): StepResult {
  const k = outs.length;
  const mean = (name: string): Float32Array => {
    const acc = new Float32Array(outs[0][name].data as Float32Array);
    for (let w = 1; w < k; w++) {
      const d = outs[w][name].data as Float32Array;
      for (let i = 0; i < acc.length; i++) acc[i] += d[i];
    }
    if (k > 1) { for (let i = 0; i < acc.length; i++) acc[i] /= k; }
    return acc;
  };
  const grads: Record<string, Float32Array> = {};
  for (const [p, out] of Object.entries(t.grads)) grads[p] = mean(out);
  const state: Record<string, Float32Array> = {};
  for (const [s, out] of Object.entries(t.stateUpdates)) state[s] = mean(out);
  return {
    loss: mean(t.loss)[0],
    correct: outs.reduce((sum, o) => sum + Number(o[t.correct].data[0]), 0),
    grads,
    state,
  };
}
