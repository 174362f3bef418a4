/**
 * Exporting a configuration as a standalone ONNX model: materialize it (BN statistics folded,
 * int8 QDQ weights when asked), encode it, verify it runs in ONNX Runtime, and describe it in
 * a JSON sidecar where every figure says whether it was measured here or modeled.
 *
 * @module
 */
import { balancedAccuracy, confusionMatrix } from "../data/metrics.ts";
import { countParameters, estimateCost } from "../onnx/flops.ts";
import { encodeModel } from "../onnx/proto/encode.ts";
import type { TensorData } from "../onnx/types.ts";
import { type Figure, measuredHere, modeled } from "../report/provenance.ts";
import { createSession } from "../runtime/session.ts";
import type { Session } from "../runtime/types.ts";
import { badInput } from "../errors.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { formatConfigId } from "./config_id.ts";
import { subnetCost } from "./cost.ts";
import { materialize, type Materialized, type MaterializeOptions } from "./materialize.ts";
import type { SearchSpace, SubnetConfig } from "./space.ts";
import type { WeightStore } from "./weights.ts";

/** An exported model before it is written. */
export interface ExportedModel {
  readonly bytes: Uint8Array;
  readonly materialized: Materialized;
  readonly config: SubnetConfig;
  readonly configId: string;
}

/**
 * Materializes and encodes `config` (BN statistics from `bnStats`; int8 per the config unless
 * `int8` says otherwise).
 *
 * @example
 * ```ts
 * import { exportSubnet } from "./export.ts";
 * import { createWeightStore } from "./weights.ts";
 * import { createSearchSpace, smallestConfig } from "./mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const store = createWeightStore(space, { inputChannels: 1, numClasses: 10 }, 0);
 * const e = exportSubnet(store, space, smallestConfig(space), { inputShape: [1, 28, 28] });
 * console.assert(e.bytes.length > 0 && e.configId.endsWith("|q8"));
 * ```
 */
export function exportSubnet(
  store: WeightStore,
  space: SearchSpace,
  config: SubnetConfig,
  opts: Pick<MaterializeOptions, "inputShape" | "bnStats" | "lowRank" | "int8">,
): ExportedModel {
  const int8 = opts.int8 ?? config.int8;
  const final = { ...config, int8 };
  const configId = formatConfigId(space, final);
  const materialized = materialize(store, space, final, { ...opts, int8, name: configId });
  const model = {
    ...materialized.model,
    docString: `adaspring subnet ${configId} of task ${space.task}; weights: ${store.origin}`,
    metadata: { task: space.task, config: configId, weights: store.origin },
  };
  return { bytes: encodeModel(model), materialized, config: final, configId };
}

/** Outcome of running an exported model once on one backend. */
export interface RuntimeCheck {
  readonly backend: string;
  readonly ran: boolean;
  /** Why it did not run (not installed, failed), when it did not. */
  readonly reason?: string;
  readonly batch?: number;
  readonly logits?: Float32Array;
  /** Session creation + one run, milliseconds (measured here). */
  readonly ms?: number;
}

/** Loads `bytes` on `backend` and runs `input` once; never throws (the outcome says why). */
export async function checkInRuntime(
  bytes: Uint8Array,
  input: TensorData,
  backend: string,
): Promise<RuntimeCheck> {
  const t0 = performance.now();
  try {
    const session = await createSession(bytes, { backend, cache: false });
    try {
      const out = await session.run({ input }, ["logits"]);
      const logits = out.logits.data as Float32Array;
      if (!logits.every(Number.isFinite)) {
        return { backend, ran: false, reason: "the logits are not all finite" };
      }
      return { backend, ran: true, batch: input.shape[0], logits, ms: performance.now() - t0 };
    } finally {
      await session.release();
    }
  } catch (err) {
    return { backend, ran: false, reason: (err as Error).message };
  }
}

/** Runs one batch of a model: `[count, ...inputShape]` in, logits out. */
export type BatchRunner = (x: Float32Array, count: number) => Promise<Float32Array>;

/**
 * A {@link BatchRunner} over a session of an adaspring model (input `input`, output `logits`);
 * a model without a `logits` output is bad input.
 */
export function logitsRunner(session: Session, inputShape: readonly number[]): BatchRunner {
  return async (x, count) => {
    const out = await session.run({
      input: { dtype: "float32", shape: [count, ...inputShape], data: x },
    });
    if (!out.logits) {
      throw badInput(
        `the model has no output named "logits" (it has ${session.outputNames.join(", ")}); ` +
          "use a model exported by adaspring (export, or a trained baseline)",
      );
    }
    return out.logits.data as Float32Array;
  };
}

/** What {@link accuracyOf} and {@link measureAccuracy} measure. */
export interface AccuracyMeasurement {
  /** Fraction of samples whose largest logit is their label (0 for no samples). */
  readonly accuracy: number;
  /**
   * Mean recall over the classes present in the labels (scikit-learn's convention, see
   * `lib/data/metrics.ts`); the classes are the logits per sample. 0 for no samples.
   */
  readonly balancedAccuracy: number;
  readonly samples: number;
  /** Accuracies on the even- and odd-indexed samples. */
  readonly halves: readonly [number, number];
}

/**
 * Accuracy of a model run by `run` on labelled samples; see {@link measureAccuracy}. A label
 * outside `0..classes-1` (classes = logits per sample) throws a `RangeError`.
 */
export async function accuracyOf(
  run: BatchRunner,
  samples: { x: Float32Array; y: Int32Array },
  inputShape: readonly number[],
  batchSize = 256,
): Promise<AccuracyMeasurement> {
  const size = inputShape.reduce((a, b) => a * b, 1), n = samples.y.length;
  const predicted = new Int32Array(n);
  let correct = 0, correctEven = 0, classes = 0;
  for (let s = 0; s < n; s += batchSize) {
    const count = Math.min(batchSize, n - s);
    const logits = await run(samples.x.subarray(s * size, (s + count) * size), count);
    const k = logits.length / count;
    classes = k;
    for (let i = 0; i < count; i++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (logits[i * k + j] > logits[i * k + best]) best = j;
      predicted[s + i] = best;
      if (best === samples.y[s + i]) {
        correct++;
        if ((s + i) % 2 === 0) correctEven++;
      }
    }
  }
  const even = Math.ceil(n / 2), odd = n - even;
  return {
    accuracy: n ? correct / n : 0,
    balancedAccuracy: n ? balancedAccuracy(confusionMatrix(samples.y, predicted, classes)) : 0,
    samples: n,
    halves: [even ? correctEven / even : 0, odd ? (correct - correctEven) / odd : 0],
  };
}

/**
 * Accuracy (and balanced accuracy) of model bytes on labelled samples through the runtime,
 * batch by batch. `halves` are the accuracies on the even- and odd-indexed samples: two
 * independent measurements of half the size, whose agreement over many models bounds how well
 * any predictor can rank them.
 */
export async function measureAccuracy(
  bytes: Uint8Array,
  samples: { x: Float32Array; y: Int32Array },
  inputShape: readonly number[],
  opts: { backend?: string; batchSize?: number } = {},
): Promise<AccuracyMeasurement> {
  const session = await createSession(bytes, { backend: opts.backend ?? "web", cache: false });
  try {
    return await accuracyOf(logitsRunner(session, inputShape), samples, inputShape, opts.batchSize);
  } finally {
    await session.release();
  }
}

/** The JSON sidecar written next to an exported model. */
export interface ExportSidecar {
  readonly task: string;
  readonly config: string;
  readonly int8: boolean;
  /** Where the weights came from, e.g. `untrained (initialised from seed 0)`. */
  readonly weights: string;
  readonly bnStatistics: string;
  readonly bytes: Figure;
  readonly params: Figure;
  readonly flops: Figure;
  readonly staticCost: {
    readonly params: Figure;
    readonly weightBytes: Figure;
    readonly flops: Figure;
    readonly peakActivationBytes: Figure;
  };
  readonly accuracy: Figure | null;
  readonly verification: readonly Omit<RuntimeCheck, "logits">[];
}

/** Builds the sidecar of an export; figures carry their provenance. */
export function exportSidecar(
  e: ExportedModel,
  store: WeightStore,
  space: SearchSpace,
  input: { inputShape: readonly number[]; numClasses: number },
  extra: {
    bnStatistics: string;
    accuracy?: { accuracy: number; samples: number; backend: string };
    checks: readonly RuntimeCheck[];
  },
): ExportSidecar {
  const graph = e.materialized.model.graph;
  const stat = subnetCost(space, e.config, input);
  const GRAPH = "estimateCost over the exported graph (batch 1)";
  const STATIC = "subnetCost of the search space (lib/supernet/cost.ts)";
  return {
    task: space.task,
    config: e.configId,
    int8: e.materialized.int8,
    weights: store.origin,
    bnStatistics: extra.bnStatistics,
    bytes: measuredHere(e.bytes.length, "bytes", "size of the encoded .onnx file"),
    params: measuredHere(
      countParameters(graph).parameters,
      "params",
      "initializers of the exported graph",
    ),
    flops: modeled(estimateCost(graph, { N: 1 }).flops, "FLOP", GRAPH),
    staticCost: {
      params: modeled(stat.params, "params", STATIC),
      weightBytes: modeled(stat.weightBytes, "bytes", STATIC),
      flops: modeled(stat.flops, "FLOP", STATIC),
      peakActivationBytes: modeled(stat.peakActivationBytes, "bytes", STATIC),
    },
    accuracy: extra.accuracy
      ? measuredHere(
        extra.accuracy.accuracy,
        "fraction",
        `test split, ${extra.accuracy.samples} samples, through ${extra.accuracy.backend}`,
      )
      : null,
    verification: extra.checks.map(({ logits: _, ...rest }) => rest),
  };
}

/** Writes the model and its sidecar (`<path>.json`) atomically; returns the sidecar path. */
export async function writeExport(
  path: string,
  e: ExportedModel,
  sidecar: ExportSidecar,
): Promise<string> {
  await writeFileAtomic(path, e.bytes);
  await writeFileAtomic(`${path}.json`, JSON.stringify(sidecar, null, 2) + "\n");
  return `${path}.json`;
}
