/**
 * Training throughput of one network, side by side in one process: the ONNX training
 * artifact on onnxruntime-web (1 and 2 data-parallel workers) and onnxruntime-node (when
 * installed and permitted), and the same architecture in TensorFlow.js (CPU backend). Every
 * variant runs full optimizer steps (gradients + SGD-momentum update + BN statistics) on the
 * same seeded random batch; variants are timed in interleaved rounds so that a change in the
 * machine's load during the run hits all of them alike. Compare ratios, not absolute figures.
 *
 * @example
 * ```ts ignore
 * import { runTrainBench } from "./throughput.ts";
 * const r = await runTrainBench({ spec, inputShape: [1, 28, 28], classes: 10, batch: 64,
 *   steps: 10, tfjsSteps: 2, rounds: 2, seed: 0 });
 * for (const v of r.variants) console.log(v.name, v.stepsPerSecond);
 * ```
 *
 * @module
 */
import { nativeAvailable } from "../../runtime/native.ts";
import type { BackendName } from "../../runtime/types.ts";
import { type TimingStats, timingStats } from "../../runtime/stats.ts";
import { createRng } from "../../util/rng.ts";
import { buildArtifacts } from "../artifacts.ts";
import { type BackboneSpec, buildBackbone } from "../backbone.ts";
import { createEngine } from "../engine.ts";
import { createOptimizer, type Param } from "../optimizer.ts";
import { defaultParams } from "../training_graph.ts";

/** Options of {@link runTrainBench}. */
export interface TrainBenchOptions {
  readonly spec: BackboneSpec;
  /** Channels-first sample shape, e.g. [1, 28, 28]. */
  readonly inputShape: readonly number[];
  readonly classes: number;
  /** Global batch (split over workers). Must be even (the 2-worker variant). */
  readonly batch: number;
  /** Timed steps per ONNX variant. */
  readonly steps: number;
  /** Timed steps of the tfjs variant (its CPU backend is >100x slower); 0 skips it. */
  readonly tfjsSteps: number;
  /** Interleaved timing rounds (steps are spread over them). */
  readonly rounds: number;
  /** Untimed steps per variant before timing. */
  readonly warmup?: number;
  readonly seed: number;
  readonly lr?: number;
  readonly momentum?: number;
  /** Called with a line of progress (stderr in the CLI). */
  readonly onLog?: (line: string) => void;
}

/** One variant's outcome; `skipped` says why it did not run. */
export interface VariantResult {
  readonly name: string;
  readonly runtime: "onnxruntime-web" | "onnxruntime-node" | "tensorflow.js";
  readonly workers: number;
  readonly skipped?: string;
  readonly steps?: number;
  readonly seconds?: number;
  readonly stepMs?: TimingStats;
  readonly stepsPerSecond?: number;
  readonly imagesPerSecond?: number;
  /** Mean training loss over the timed steps (a sanity check that it trains). */
  readonly meanLoss?: number;
}

/** Result of {@link runTrainBench}. */
export interface TrainBenchResult {
  readonly parameters: number;
  readonly variants: readonly VariantResult[];
}

interface Runner {
  readonly name: string;
  readonly runtime: VariantResult["runtime"];
  readonly workers: number;
  readonly steps: number;
  step(): Promise<number>;
  close(): Promise<void>;
}

function initial(forward: ReturnType<typeof buildBackbone>): Record<string, Param> {
  return Object.fromEntries(forward.initializers.map((t) => [
    t.name,
    { shape: [...t.shape], data: new Float32Array(t.data as Float32Array) },
  ]));
}

async function onnxRunner(
  o: TrainBenchOptions,
  forward: ReturnType<typeof buildBackbone>,
  x: Float32Array,
  y: BigInt64Array,
  backend: BackendName,
  workers: number,
): Promise<Runner> {
  const a = buildArtifacts(forward, {
    loss: { kind: "cross-entropy" },
    batchSize: o.batch / workers,
  });
  const values = initial(forward);
  const state = Object.fromEntries(a.training.state.map((s) => [s, values[s]]));
  const params = Object.fromEntries(a.training.params.map((p) => [p, values[p]]));
  const optimizer = createOptimizer({ kind: "sgd", momentum: o.momentum ?? 0.9 });
  const engine = await createEngine(a.training, a.trainingBytes, {
    workers,
    backend,
    sampleShape: o.inputShape,
  });
  const runtime = backend === "web" ? "onnxruntime-web" : "onnxruntime-node";
  return {
    name: `${runtime} x${workers}`,
    runtime,
    workers,
    steps: o.steps,
    async step() {
      const r = await engine.step(params, state, x, y);
      optimizer.step(params, r.grads, o.lr ?? 0.01);
      for (const [k, v] of Object.entries(r.state)) state[k] = { shape: state[k].shape, data: v };
      return r.loss;
    },
    close: () => engine.close(),
  };
}

async function tfjsRunner(
  o: TrainBenchOptions,
  forward: ReturnType<typeof buildBackbone>,
  x: Float32Array,
  y: BigInt64Array,
): Promise<Runner> {
  // Imported here so that only a bench run loads TensorFlow.js.
  const { buildTfjsBackbone, createTfjsTrainer, loadTfjs } = await import("../peer_tfjs.ts");
  const tf = await loadTfjs("cpu");
  const model = buildTfjsBackbone(tf, o.spec, o.inputShape, o.classes, forward);
  const trainer = createTfjsTrainer(tf, model, {
    lr: o.lr ?? 0.01,
    momentum: o.momentum ?? 0.9,
    inputShape: o.inputShape,
  });
  const labels = Int32Array.from(y, Number);
  return {
    name: "tensorflow.js cpu",
    runtime: "tensorflow.js",
    workers: 1,
    steps: o.tfjsSteps,
    step: () => trainer.step(x, labels),
    close() {
      trainer.dispose();
      model.dispose();
      return Promise.resolve();
    },
  };
}

/** Runs the benchmark (see the module doc). */
export async function runTrainBench(o: TrainBenchOptions): Promise<TrainBenchResult> {
  if (o.batch % 2 !== 0) throw new RangeError(`batch must be even (2 workers), got ${o.batch}`);
  const log = o.onLog ?? (() => {});
  const forward = buildBackbone(o.spec, o.inputShape, o.classes, o.seed);
  const rng = createRng(o.seed).fork("train-bench-data");
  const size = o.inputShape.reduce((p, d) => p * d, 1);
  const x = Float32Array.from({ length: o.batch * size }, () => rng.normal());
  const y = BigInt64Array.from({ length: o.batch }, () => BigInt(rng.int(o.classes)));

  const skipped: VariantResult[] = [];
  const runners: Runner[] = [];
  const plan: [BackendName, number][] = [["web", 1], ["web", 2]];
  if (nativeAvailable()) plan.push(["native", 1], ["native", 2]);
  else {
    for (const w of [1, 2]) {
      skipped.push({
        name: `onnxruntime-node x${w}`,
        runtime: "onnxruntime-node",
        workers: w,
        skipped: "onnxruntime-node is not installed in .native/ or --allow-ffi is not granted",
      });
    }
  }
  try {
    for (const [backend, workers] of plan) {
      runners.push(await onnxRunner(o, forward, x, y, backend, workers));
    }
    if (o.tfjsSteps > 0) runners.push(await tfjsRunner(o, forward, x, y));
    const times = new Map<Runner, number[]>(runners.map((r) => [r, []]));
    const losses = new Map<Runner, number[]>(runners.map((r) => [r, []]));
    for (const r of runners) {
      // tfjs: no warm-up step, one of its steps on the mnist backbone takes ~100 s here.
      const warm = r.runtime === "tensorflow.js" ? 0 : o.warmup ?? 3;
      for (let i = 0; i < warm; i++) await r.step();
      log(`train-bench: ${r.name} warmed up`);
    }
    for (let round = 0; round < o.rounds; round++) {
      for (const r of runners) {
        // Steps of this round: an even share, the remainder in the first rounds.
        const n = Math.floor(r.steps / o.rounds) + (round < r.steps % o.rounds ? 1 : 0);
        for (let i = 0; i < n; i++) {
          const t0 = performance.now();
          const loss = await r.step();
          times.get(r)!.push(performance.now() - t0);
          losses.get(r)!.push(loss);
        }
      }
      log(`train-bench: round ${round + 1}/${o.rounds} done`);
    }
    const variants: VariantResult[] = runners.map((r) => {
      const ms = times.get(r)!;
      const seconds = ms.reduce((a, b) => a + b, 0) / 1000;
      const l = losses.get(r)!;
      return {
        name: r.name,
        runtime: r.runtime,
        workers: r.workers,
        steps: ms.length,
        seconds,
        stepMs: timingStats(ms),
        stepsPerSecond: ms.length / seconds,
        imagesPerSecond: (ms.length * o.batch) / seconds,
        meanLoss: l.reduce((a, b) => a + b, 0) / l.length,
      };
    });
    const trained = new Set(defaultParams(forward));
    const parameters = forward.initializers
      .reduce((s, t) => s + (trained.has(t.name) ? t.data.length : 0), 0);
    return { parameters, variants: [...variants, ...skipped] };
  } finally {
    for (const r of runners) await r.close();
  }
}
