/**
 * `adaspring train-supernet --task NAME`: ensemble training of the task's self-evolutionary
 * network (sandwich rule + in-place distillation over the shared weight store), with progress
 * on stderr, checkpoints, per-epoch validation of watched configurations, the trained store
 * (`supernet.weights.json`, read by `export --weights` and `evolve --weights`) and a report.
 *
 * @module
 */
import { type Command, Option } from "@commander-js/extra-typings";
import { createHash } from "node:crypto";
import { canonicalJson } from "../../lib/data/cache.ts";
import { badInput } from "../../lib/errors.ts";
import { measuredHere } from "../../lib/report/provenance.ts";
import { runDir, writeReport } from "../../lib/report/report.ts";
import { parseBackend } from "../../lib/runtime/session.ts";
import {
  DEFAULT_DISTILL,
  type SupernetEpoch,
  type SupernetProgress,
  trainSupernet,
} from "../../lib/supernet/ensemble.ts";
import { GRADIENT_REDUCTIONS, SAMPLINGS } from "../../lib/supernet/ensemble_step.ts";
import { LOW_RANK_TRAININGS } from "../../lib/supernet/train_graph.ts";
import { createSearchSpace, spaceSize } from "../../lib/supernet/mod.ts";
import { createWeightStore } from "../../lib/supernet/weights.ts";
import { saveWeightStore } from "../../lib/supernet/weights_io.ts";
import { openTeacher } from "../../lib/supernet/teacher.ts";
import { readModelFile } from "../../lib/onnx/file.ts";
import { interruptedError, withInterrupt } from "../interrupt.ts";
import { parseNonNegativeNumber, parsePositiveInt, parsePositiveNumber } from "../options.ts";
import { loadTaskData, resolveHyper } from "./task_data.ts";

type Globals = { seed?: number; out?: string; json?: true };

const SRC = "adaspring train-supernet";

function parseFraction(value: string): number {
  const x = Number(value);
  if (!(x >= 0 && x <= 1)) throw badInput(`expected a number in [0, 1], got "${value}"`);
  return x;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** Plain progress lines on stderr (about ten per epoch), and the validation of each epoch. */
function progressLine(p: SupernetProgress, last: { tenth: number }): string | null {
  if (p.phase === "eval") {
    const parts = p.results.map((r) => `${r.role} ${pct(r.accuracy)}`);
    return `train-supernet: epoch ${p.epoch}/${p.epochs} validation: ${parts.join(", ")}`;
  }
  const tenth = Math.floor((10 * p.step) / p.stepsPerEpoch);
  if (tenth === last.tenth && p.step !== 1) return null;
  last.tenth = tenth;
  return `train-supernet: epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.stepsPerEpoch} ` +
    `loss largest ${p.lossLargest.toFixed(4)}` +
    `${Number.isFinite(p.lossSmallest) ? ` smallest ${p.lossSmallest.toFixed(4)}` : ""} ` +
    `${p.samplesPerSecond.toFixed(0)} images/s ETA ${Math.round(p.etaSeconds)}s`;
}

function epochFigures(e: SupernetEpoch) {
  return {
    epoch: e.epoch,
    lr: e.lr,
    lossLargest: measuredHere(e.lossLargest, "nats", SRC),
    // null in largest-only epochs (no smaller configuration trained).
    lossSmallest: Number.isFinite(e.lossSmallest)
      ? measuredHere(e.lossSmallest, "nats", SRC)
      : null,
    lossRandom: Number.isFinite(e.lossRandom) ? measuredHere(e.lossRandom, "nats", SRC) : null,
    trainAccuracyLargest: measuredHere(e.trainAccuracyLargest, "fraction", SRC),
    epochTime: measuredHere(e.seconds, "s", SRC),
    imagesPerSecond: measuredHere(e.samplesPerSecond, "images/s", SRC),
    validation: e.validation.map((v) => ({
      role: v.role,
      config: v.id,
      accuracy: measuredHere(
        v.accuracy,
        "fraction",
        `val split (${v.samples} samples), BN recalibrated, through the runtime`,
      ),
    })),
  };
}

/** Register `adaspring train-supernet`. */
export function registerTrainSupernetCommand(program: Command<[], Globals>): void {
  program.command("train-supernet")
    .description(
      "ensemble-train a task's self-evolutionary network (sandwich rule, in-place distillation)",
    )
    .requiredOption("--task <name>", "task name (configs/tasks/<name>.yaml) or path to a task YAML")
    .option("--epochs <n>", "epochs (default: the task's training.epochs)", parsePositiveInt)
    .option("--batch <n>", "batch size (default: the task's training.batchSize)", parsePositiveInt)
    .option("--lr <x>", "base learning rate (default: the task's training.lr)", parsePositiveNumber)
    .option(
      "--random <n>",
      "sampled configurations per step besides the largest and smallest (the paper suite " +
        "uses 8 with --config-steps 4, which halved the derived-vs-alone gap of 4 on mnist)",
      (v) => v === "0" ? 0 : parsePositiveInt(v),
      2,
    )
    .addOption(
      new Option("--sampling <kind>", "how sampled configurations are drawn")
        .choices(SAMPLINGS).default("uniform" as const),
    )
    .option(
      "--config-steps <k>",
      "train each sampled configuration for k consecutive steps before drawing new ones (its " +
        "session is built once), so --random can grow at about the same session-building cost",
      parsePositiveInt,
      1,
    )
    .addOption(
      new Option(
        "--gradient-reduction <kind>",
        "combine the configurations' gradients on a shared weight by sum (Once-for-All) or " +
          "mean over the configurations that read it (steps at the task's learning rate)",
      ).choices(GRADIENT_REDUCTIONS).default("sum" as const),
    )
    .option(
      "--largest-only-epochs <n>",
      "train only the largest configuration for the first n of --epochs (Once-for-All trains " +
        "the full network first), then the sandwich",
      (v) => v === "0" ? 0 : parsePositiveInt(v),
      0,
    )
    .option(
      "--class-balanced [power]",
      "draw each epoch's samples class first (with replacement), for splits with a rare class: " +
        "a class with probability proportional to its count ** power (default 0: uniformly; " +
        "0.5: square-root sampling)",
      parseFraction,
    )
    .addOption(
      new Option(
        "--low-rank-training <mode>",
        "low-rank blocks train as the full-rank conv (straight-through) or through their " +
          "rank-r projection (projected)",
      ).choices(LOW_RANK_TRAININGS).default("straight-through" as const),
    )
    .option(
      "--distill-temperature <t>",
      "distillation temperature",
      parsePositiveNumber,
      DEFAULT_DISTILL.temperature,
    )
    .option(
      "--distill-alpha <a>",
      "weight of the distillation term (vs labels)",
      parseFraction,
      DEFAULT_DISTILL.alpha,
    )
    .option(
      "--feature-distill <w>",
      "weight of block-wise feature distillation (each student matches the largest's block " +
        "outputs, mean squared error); 0: off",
      parseNonNegativeNumber,
      0,
    )
    .option(
      "--teacher <model.onnx>",
      "distil the students from this trained model's inference logits (e.g. the backbone " +
        "trained alone, exported with `adaspring export`) instead of the largest's in-place ones",
    )
    .option(
      "--reorder-channels",
      "sort every channel space by importance (L1 norm) after each epoch, so width scaling " +
        "keeps the most important channels",
    )
    .option("--watch <n>", "fixed random configurations validated each epoch", parsePositiveInt, 3)
    .option("--limit <n>", "use at most n samples per split (quick runs)", parsePositiveInt)
    .option("--resume <dir>", "continue the run in <dir> from its last.ckpt")
    .option("--backend <name>", "ONNX Runtime backend: web (WASM) or native", "web")
    .option(
      "--workers <n>",
      "data-parallel workers (Deno Workers, one single-threaded ORT each; must divide --batch)",
      parsePositiveInt,
      1,
    )
    .action(async (opts, cmd) => {
      const globals = cmd.optsWithGlobals() as Globals;
      const t0 = performance.now();
      const backend = parseBackend(opts.backend);
      const { config, path, seed, data, train, val, preparedAt: tPrepared } = await loadTaskData(
        opts.task,
        globals.seed,
        opts.limit,
      );
      const space = createSearchSpace(config);
      const teacher = opts.teacher === undefined ? undefined : await openTeacher(
        (await readModelFile(opts.teacher)).bytes,
        data.inputShape,
        data.classes.length,
        opts.teacher,
      );
      const hyper = {
        ...resolveHyper(config.training, { ...opts, optimizer: undefined }),
        random: opts.random,
        sampling: opts.sampling,
        configSteps: opts.configSteps,
        gradientReduction: opts.gradientReduction,
        classBalanced: opts.classBalanced !== undefined,
        classBalancePower: typeof opts.classBalanced === "number" ? opts.classBalanced : 0,
        largestOnlyEpochs: opts.largestOnlyEpochs,
        lowRankTraining: opts.lowRankTraining,
        distillTemperature: opts.distillTemperature,
        distillAlpha: opts.distillAlpha,
        featureDistill: opts.featureDistill,
        ...(teacher ? { teacher: { model: teacher.source, sha256: teacher.identity } } : {}),
      };
      const io = { inputChannels: data.inputShape[0], numClasses: data.classes.length };
      const store = createWeightStore(space, io, seed);
      // With the trainer's own (seed, batch, lr, sampling, ...), checked on --resume; the epoch
      // count is left out so that a run can be extended.
      const settings = {
        task: config.name,
        model: createHash("sha256").update(
          canonicalJson({ model: config.model, operators: config.operators }),
        ).digest("hex"),
        dataset: data.checksum,
        limit: hyper.limit,
      };
      const dir = opts.resume ?? runDir(globals.out, "train-supernet");
      const last = { tenth: -1 };
      const result = await withInterrupt("train-supernet", (signal) =>
        trainSupernet({
          ...(teacher ? { teacher } : {}),
          space,
          store,
          data: { inputShape: data.inputShape, train, val, key: `${data.checksum}|${opts.limit}` },
          epochs: hyper.epochs,
          batchSize: hyper.batchSize,
          lr: hyper.lr,
          optimizer: {
            kind: hyper.optimizer,
            momentum: hyper.momentum,
            weightDecay: hyper.weightDecay,
          },
          schedule: hyper.schedule,
          warmupEpochs: hyper.warmupEpochs,
          random: hyper.random,
          sampling: hyper.sampling,
          configSteps: hyper.configSteps,
          gradientReduction: hyper.gradientReduction,
          classBalanced: hyper.classBalanced,
          classBalancePower: hyper.classBalancePower,
          largestOnlyEpochs: hyper.largestOnlyEpochs,
          lowRankTraining: hyper.lowRankTraining,
          distill: { temperature: hyper.distillTemperature, alpha: hyper.distillAlpha },
          featureDistill: hyper.featureDistill,
          reorderChannels: opts.reorderChannels ?? false,
          watchRandom: opts.watch,
          seed,
          backend,
          workers: opts.workers,
          outDir: dir,
          resume: opts.resume !== undefined,
          settings,
          signal,
          onProgress: (p) => {
            const line = progressLine(p, last);
            if (line) console.error(line);
          },
        })).finally(() => teacher?.close());
      if (result.interrupted) throw await interruptedError("train-supernet", dir);
      result.best.origin = `ensemble-trained (${SRC}, best epoch ${result.bestEpoch} of ` +
        `${hyper.epochs}, seed ${seed}, ${train.y.length} training samples)`;
      const weightsPath = `${dir}/supernet.weights.json`;
      await saveWeightStore(result.best, weightsPath);
      const final = result.epochs.at(-1)?.validation ?? [];
      const body = {
        task: config.name,
        spaceSize: spaceSize(space).toString(),
        dataset: {
          provenance: data.provenance,
          source: data.source,
          checksum: data.checksum,
          samples: { train: train.y.length, val: val.y.length },
        },
        hyperParameters: hyper,
        backend,
        workers: opts.workers,
        lowRankTraining: hyper.lowRankTraining === "projected"
          ? "projected: low-rank blocks train through their rank-r projection of the shared " +
            "conv weight (lib/supernet/train_graph.ts)"
          : "straight-through: low-rank blocks train the shared conv weight as a plain conv " +
            "with their own BN (lib/supernet/train_graph.ts)",
        resumedFromEpoch: result.resumedFromEpoch,
        steps: result.steps,
        sessionsBuilt: result.sessionsBuilt,
        sessionBuildTime: measuredHere(
          result.sessionBuildSeconds,
          "s",
          "building subnet training graphs and opening their sessions (part of trainTime)",
        ),
        epochs: result.epochs.map(epochFigures),
        bestEpoch: result.bestEpoch,
        bestMeanValAccuracy: measuredHere(result.bestScore, "fraction", SRC),
        trainTime: measuredHere(result.trainSeconds, "s", SRC),
        wallTime: measuredHere((performance.now() - t0) / 1000, "s", SRC),
        imagesPerSecond: measuredHere(result.samplesPerSecond, "images/s", SRC),
        artifacts: {
          weights: weightsPath,
          lastCheckpoint: `${dir}/last.ckpt`,
          bestCheckpoint: `${dir}/best.ckpt`,
        },
      };
      const report = await writeReport(dir, "train-supernet.json", {
        kind: "train-supernet",
        seed,
        configPaths: [path],
        timingsMs: { prepare: tPrepared - t0, total: performance.now() - t0 },
        body,
      });
      if (globals.json) {
        console.log(JSON.stringify(body, null, 2));
        return;
      }
      const accs = final.map((v) => `${v.role} ${pct(v.accuracy)}`).join(", ");
      console.log(
        `trained the ${config.name} supernet: best epoch ${result.bestEpoch}; last epoch ` +
          `validation: ${accs}; ${result.samplesPerSecond.toFixed(0)} images/s on ${backend}\n` +
          `weights: ${weightsPath}\nreport: ${report}`,
      );
    });
}
