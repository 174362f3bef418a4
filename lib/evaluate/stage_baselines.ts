/**
 * The hand-crafted baselines of one task (`baselines.ts`), each trained on its own with the
 * trainer at the suite's budget, materialized like any subnet (BN recalibrated, folded), its
 * test accuracy measured, and its model written to `<task>/baselines/<kind>.onnx`. A finished
 * baseline is not trained again on resume.
 *
 * @module
 */
import { join } from "node:path";
import { baselineSettingsFor, type SuiteConfig } from "../config/suite.ts";
import { encodeModel } from "../onnx/proto/encode.ts";
import { calibrateBn } from "../supernet/bn_calibration.ts";
import { subnetCost } from "../supernet/cost.ts";
import { formatConfigId } from "../supernet/config_id.ts";
import { deriveSubnetWeights } from "../supernet/derive.ts";
import { materialize } from "../supernet/materialize.ts";
import { measureAccuracy } from "../supernet/export.ts";
import { planSubnet } from "../supernet/plan.ts";
import { createWeightStore, type WeightStore } from "../supernet/weights.ts";
import { loadWeightStore, saveWeightStore } from "../supernet/weights_io.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { type BaselineSpec, handCraftedBaselines, type HandCraftedKind } from "./baselines.ts";
import {
  magnitudeMasks,
  maskedFraction,
  storeWithWeights,
  trainAlone,
  type TrainedAlone,
} from "./standalone.ts";
import { type EvalTask, readStage, stampInputs, writeStage } from "./task_setup.ts";

/** What one trained baseline records. */
export interface BaselineResult {
  readonly kind: HandCraftedKind;
  readonly label: string;
  readonly recipe: string;
  /** The configuration id (pruned models keep the backbone's dense architecture). */
  readonly config: string;
  readonly modelPath: string;
  readonly modelBytes: number;
  readonly testAccuracy: number;
  /**
   * Balanced accuracy on the test split (mean per-class recall); absent from results cached
   * before it was recorded (delete `<task>/baselines/` to retrain and measure it).
   */
  readonly testBalancedAccuracy?: number;
  readonly testSamples: number;
  /** Epochs of its own training (fine-tuning for the fine-tuned ones; 0 for PTQ). */
  readonly epochs: number;
  /** Seconds of its own training, measured here. */
  readonly trainSeconds: number;
  /** Its own training FLOPs, modeled: 3 x forward FLOPs x samples. */
  readonly trainFlops: number;
  /** Training it depends on (the backbone for fine-tuned and quantized ones). */
  readonly dependsOn: HandCraftedKind | null;
  /** Fraction of zero weights in the pruned tensors (pruning only). */
  readonly sparsity: number | null;
}

/** A baseline the task's pool cannot express. */
export interface BaselineSkipped {
  readonly kind: HandCraftedKind;
  readonly label: string;
  readonly unavailable: string;
}

/** The suite inputs trained baselines depend on (`aloneSampled` is the alone stage's). */
function baselineBudget(suite: SuiteConfig, task: string) {
  const { epochs, finetuneEpochs, sparsity } = baselineSettingsFor(suite, task);
  return { epochs, finetuneEpochs, sparsity };
}

/** Trains (or reloads) every baseline of `t`. */
export async function baselinesStage(
  t: EvalTask,
  suite: SuiteConfig,
): Promise<{ results: BaselineResult[]; skipped: BaselineSkipped[] }> {
  const dir = join(t.dir, "baselines");
  await stampInputs(dir, { baselines: baselineBudget(suite, t.config.name) });
  const specs = handCraftedBaselines(t.space, { sparsity: suite.baselines.sparsity });
  const results: BaselineResult[] = [];
  const skipped: BaselineSkipped[] = [];
  let backbone: WeightStore | null = null;
  const loadBackbone = async () => backbone ??= (await backboneStage(t, suite)).store;
  for (const spec of specs) {
    if (spec.config === null) {
      skipped.push({ kind: spec.kind, label: spec.label, unavailable: spec.unavailable! });
      continue;
    }
    if (spec.kind === "backbone") {
      const b = await backboneStage(t, suite);
      backbone = b.store;
      results.push(b.result);
      continue;
    }
    const summaryPath = join(dir, `${spec.kind}.json`);
    const done = await readStage<BaselineResult>(summaryPath);
    if (done) {
      results.push(done);
      continue;
    }
    t.log(`  baseline: ${spec.kind} (${spec.label})`);
    const r = await trainBaseline(t, suite, spec, freshStore(t), loadBackbone);
    await writeStage(summaryPath, r.result);
    results.push(r.result);
  }
  return { results, skipped };
}

/** A weight store of `t`'s space with the baselines' initialization (seed + 1). */
function freshStore(t: EvalTask): () => WeightStore {
  const io = { inputChannels: t.data.inputShape[0], numClasses: t.data.classes.length };
  return () => createWeightStore(t.space, io, t.seed + 1);
}

/**
 * The backbone baseline of `t` (trained from scratch, or read back) and its trained weights as
 * a store of the task's space (`baselines/backbone.weights.json`): what the fine-tuned and
 * quantized baselines start from, and the supernet's teacher where the suite asks for one.
 */
export async function backboneStage(
  t: EvalTask,
  suite: SuiteConfig,
): Promise<{ result: BaselineResult; store: WeightStore }> {
  const dir = join(t.dir, "baselines");
  await stampInputs(dir, { baselines: baselineBudget(suite, t.config.name) });
  const io = { inputChannels: t.data.inputShape[0], numClasses: t.data.classes.length };
  const storePath = join(dir, "backbone.weights.json");
  const summaryPath = join(dir, "backbone.json");
  const done = await readStage<BaselineResult>(summaryPath);
  if (done) return { result: done, store: await loadWeightStore(storePath, t.space, io) };
  const spec = handCraftedBaselines(t.space, { sparsity: suite.baselines.sparsity })
    .find((b) => b.kind === "backbone")!;
  t.log(`  baseline: ${spec.kind} (${spec.label})`);
  const fresh = freshStore(t);
  const r = await trainBaseline(t, suite, spec, fresh, () => {
    throw new Error("the backbone is trained from scratch");
  });
  const store = storeWithWeights(fresh(), r.trained!.weights, "backbone trained alone");
  // The store before the summary: a summary on disk means both are there.
  await saveWeightStore(store, storePath);
  await writeStage(summaryPath, r.result);
  return { result: r.result, store };
}

/** The trainer options every configuration trained alone shares: the task's own recipe. */
export function trainingCommon(t: EvalTask) {
  const tc = t.config.training;
  return {
    space: t.space,
    data: { inputShape: t.data.inputShape, classes: t.data.classes, train: t.train, val: t.val },
    batchSize: tc.batchSize,
    lr: tc.lr,
    optimizer: { kind: tc.optimizer, momentum: tc.momentum, weightDecay: tc.weightDecay },
    schedule: tc.schedule,
    warmupEpochs: tc.warmupEpochs,
    seed: t.seed,
    calibration: t.calibration,
  };
}

async function trainBaseline(
  t: EvalTask,
  suite: SuiteConfig,
  spec: BaselineSpec,
  fresh: () => WeightStore,
  backbone: () => Promise<WeightStore>,
): Promise<{ result: BaselineResult; trained: TrainedAlone | null }> {
  const config = spec.config!;
  const tc = t.config.training;
  const input = { inputShape: t.data.inputShape, numClasses: t.data.classes.length };
  const common = trainingCommon(t);
  let trained: TrainedAlone | null = null;
  let store: WeightStore, epochs = 0, sparsity: number | null = null;
  let weights, bnStats;
  if (spec.recipe === "scratch") {
    epochs = baselineSettingsFor(suite, t.config.name).epochs;
    store = fresh();
    trained = await trainAlone({ ...common, store, config, epochs, onProgress: progress(t, spec) });
  } else if (spec.kind === "int8-ptq") {
    store = await backbone();
  } else {
    // Fine-tuning from the trained backbone: low-rank starts from the SVD of its convs.
    epochs = suite.baselines.finetuneEpochs;
    store = await backbone();
    const lr = tc.lr * 0.1; // fine-tuning: a tenth of the task's learning rate
    if (spec.kind === "magnitude-prune") {
      const init = deriveSubnetWeights(store, planSubnet(t.space, config, store.shape));
      const masks = magnitudeMasks(init.tensors, suite.baselines.sparsity);
      sparsity = maskedFraction(masks);
      trained = await trainAlone({
        ...common,
        lr,
        store,
        config,
        init,
        masks,
        epochs,
        onProgress: progress(t, spec),
      });
    } else {
      trained = await trainAlone({
        ...common,
        lr,
        store,
        config,
        epochs,
        onProgress: progress(t, spec),
      });
    }
  }
  if (trained) {
    weights = trained.weights;
    bnStats = trained.bnStats;
  } else {
    // PTQ: the backbone's own weights and statistics, quantized at materialization.
    const cal = await calibrateBn({ ...store }, t.space, config, t.calibration, { refresh: true });
    bnStats = cal.stats;
  }
  const m = materialize(store, t.space, config, {
    inputShape: t.data.inputShape,
    bnStats,
    weights,
    name: spec.kind,
  });
  const bytes = encodeModel(m.model);
  const modelPath = join(t.dir, "baselines", `${spec.kind}.onnx`);
  await writeFileAtomic(modelPath, bytes);
  const acc = await measureAccuracy(bytes, t.test, t.data.inputShape);
  const flops = subnetCost(t.space, config, input).flops;
  const samples = (trained?.result.steps ?? 0) * tc.batchSize;
  return {
    trained,
    result: {
      kind: spec.kind,
      label: spec.label,
      recipe: spec.recipe,
      config: formatConfigId(t.space, config),
      modelPath,
      modelBytes: bytes.length,
      testAccuracy: acc.accuracy,
      testBalancedAccuracy: acc.balancedAccuracy,
      testSamples: acc.samples,
      epochs,
      trainSeconds: trained?.result.trainSeconds ?? 0,
      trainFlops: 3 * flops * samples,
      dependsOn: spec.recipe === "scratch" ? null : "backbone",
      sparsity,
    },
  };
}

/** Progress lines of one configuration's training (`spec.kind` names it in the log). */
export function progress(t: EvalTask, spec: { kind: string }) {
  let last = 0;
  return (p: { phase: string; epoch: number; epochs: number; accuracy: number }) => {
    const now = performance.now();
    if (p.phase === "eval" || now - last > 15_000) {
      last = now;
      t.log(
        `    ${spec.kind}: epoch ${p.epoch}/${p.epochs} ${p.phase} ` +
          `accuracy ${(100 * p.accuracy).toFixed(1)}%`,
      );
    }
  };
}
