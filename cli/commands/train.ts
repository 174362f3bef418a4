/**
 * `adaspring train --task NAME`: trains the task's backbone through the ONNX training
 * artifacts, with a progress bar on stderr, checkpoints and a report in the run directory.
 *
 * @module
 */
import { type Command, Option } from "@commander-js/extra-typings";
import cliProgress from "cli-progress";
import process from "node:process";
import { createHash } from "node:crypto";
import { canonicalJson } from "../../lib/data/cache.ts";
import { classificationMetrics } from "../../lib/data/metrics.ts";
import { encodeModel } from "../../lib/onnx/proto/encode.ts";
import { measuredHere } from "../../lib/report/provenance.ts";
import { runDir, writeReport } from "../../lib/report/report.ts";
import { parseBackend } from "../../lib/runtime/session.ts";
import { inferenceModel } from "../../lib/train/artifacts.ts";
import { buildBackbone } from "../../lib/train/backbone.ts";
import { type EpochMetrics, train, type TrainProgress } from "../../lib/train/trainer.ts";
import { writeFileAtomic } from "../../lib/util/atomic.ts";
import { interruptedError, withInterrupt } from "../interrupt.ts";
import { parsePositiveInt, parsePositiveNumber } from "../options.ts";
import { loadTaskData, resolveHyper } from "./task_data.ts";

type Globals = { seed?: number; out?: string; json?: true };

/** Progress on stderr: a bar on a terminal, a plain line every ~10% of an epoch otherwise. */
function progressReporter(): { update(p: TrainProgress): void; stop(): void } {
  const fmt = (p: TrainProgress) =>
    `loss ${p.loss.toFixed(4)} acc ${(100 * p.accuracy).toFixed(2)}% ` +
    `${p.samplesPerSecond.toFixed(0)} samples/s ETA ${Math.round(p.etaSeconds)}s`;
  if (Deno.stderr.isTerminal()) {
    const bar = new cliProgress.SingleBar({
      format: "epoch {epoch}/{epochs} [{bar}] {value}/{total} {info}",
      stream: process.stderr,
      hideCursor: true,
    }, cliProgress.Presets.shades_classic);
    let epoch = 0;
    return {
      update(p) {
        if (p.phase === "eval") {
          bar.stop();
          console.error(
            `epoch ${p.epoch}/${p.epochs} validation: loss ${p.loss.toFixed(4)} acc ${
              (100 * p.accuracy).toFixed(2)
            }%`,
          );
          return;
        }
        if (p.epoch !== epoch) {
          epoch = p.epoch;
          bar.start(p.stepsPerEpoch, 0, { epoch: p.epoch, epochs: p.epochs, info: "" });
        }
        bar.update(p.step, { info: fmt(p) });
      },
      stop: () => bar.stop(),
    };
  }
  let lastTenth = -1;
  return {
    update(p) {
      if (p.phase === "eval") {
        console.error(
          `train: epoch ${p.epoch}/${p.epochs} validation: loss ${p.loss.toFixed(4)} acc ${
            (100 * p.accuracy).toFixed(2)
          }%`,
        );
        return;
      }
      const tenth = Math.floor((10 * p.step) / p.stepsPerEpoch);
      if (tenth === lastTenth && p.step !== 1) return;
      lastTenth = tenth;
      console.error(
        `train: epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.stepsPerEpoch} ${fmt(p)}`,
      );
    },
    stop() {},
  };
}

const SRC = "adaspring train";

/** One epoch's metrics as report figures. */
function epochFigures(e: EpochMetrics) {
  return {
    epoch: e.epoch,
    lr: e.lr,
    trainLoss: measuredHere(e.trainLoss, "nats", SRC),
    trainAccuracy: measuredHere(e.trainAccuracy, "fraction", SRC),
    valLoss: measuredHere(e.valLoss, "nats", SRC),
    valAccuracy: measuredHere(e.valAccuracy, "fraction", SRC),
    epochTime: measuredHere(e.seconds, "s", SRC),
    samplesPerSecond: measuredHere(e.samplesPerSecond, "samples/s", SRC),
  };
}

/** Register `adaspring train`. */
export function registerTrainCommand(program: Command<[], Globals>): void {
  program.command("train")
    .description("train a task's backbone through ONNX training artifacts (loss + gradients)")
    .requiredOption("--task <name>", "task name (configs/tasks/<name>.yaml) or path to a task YAML")
    .option("--epochs <n>", "epochs (default: the task's training.epochs)", parsePositiveInt)
    .option("--batch <n>", "batch size (default: the task's training.batchSize)", parsePositiveInt)
    .option("--lr <x>", "base learning rate (default: the task's training.lr)", parsePositiveNumber)
    .addOption(
      new Option("--optimizer <kind>", "optimizer (default: the task's)").choices(
        ["sgd", "adam"] as const,
      ),
    )
    .option(
      "--workers <n>",
      "data-parallel workers, each a single-threaded ORT",
      parsePositiveInt,
      1,
    )
    .option(
      "--backend <name>",
      "ONNX Runtime backend: web (WASM) or native (onnxruntime-node)",
      "web",
    )
    .option("--resume <dir>", "continue the run in <dir> from its last.ckpt")
    .option("--limit <n>", "use at most n samples per split (quick runs)", parsePositiveInt)
    .action(async (opts, cmd) => {
      const globals = cmd.optsWithGlobals() as Globals;
      const t0 = performance.now();
      const backend = parseBackend(opts.backend);
      const td = await loadTaskData(opts.task, globals.seed, opts.limit);
      const { config, path, seed, data, preparedAt: tPrepared } = td;
      const hyper = {
        ...resolveHyper(config.training, opts),
        labelSmoothing: config.training.labelSmoothing,
      };
      const split = {
        inputShape: data.inputShape,
        classes: data.classes,
        train: td.train,
        val: td.val,
        test: td.test,
      };
      const forward = buildBackbone(config.model, data.inputShape, data.classes.length, seed);
      // With the trainer's own (seed, batch, lr, optimizer, ...), checked on --resume; the
      // epoch count is left out so that a run can be extended.
      const settings = {
        task: config.name,
        model: createHash("sha256").update(canonicalJson(config.model)).digest("hex"),
        dataset: data.checksum,
        limit: hyper.limit,
      };
      const dir = opts.resume ?? runDir(globals.out, "train");
      const progress = progressReporter();
      const result = await withInterrupt("train", (signal) =>
        train({
          forward,
          data: split,
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
          labelSmoothing: hyper.labelSmoothing,
          seed,
          workers: opts.workers,
          backend,
          outDir: dir,
          resume: opts.resume !== undefined,
          settings,
          onProgress: (p) => progress.update(p),
          onWarning: (m) => console.error(`warning: ${m}`),
          signal,
        })).finally(() => progress.stop());
      if (result.interrupted) throw await interruptedError("train", dir);
      const modelPath = `${dir}/model.onnx`;
      await writeFileAtomic(modelPath, encodeModel(inferenceModel(forward, result.values)));
      const test = result.test && split.test.y.length
        ? classificationMetrics(split.test.y, result.test.predictions, data.classes.length)
        : undefined;
      const body = {
        task: config.name,
        dataset: {
          provenance: data.provenance,
          source: data.source,
          checksum: data.checksum,
          samples: {
            train: split.train.y.length,
            val: split.val.y.length,
            test: split.test.y.length,
          },
        },
        model: { kind: config.model.kind, architectureHash: result.architectureHash },
        hyperParameters: hyper,
        backend,
        workers: opts.workers,
        resumedFromEpoch: result.resumedFromEpoch,
        steps: result.steps,
        epochs: result.epochs.map(epochFigures),
        bestEpoch: result.bestEpoch,
        bestValAccuracy: measuredHere(result.bestValAccuracy, "fraction", SRC),
        trainTime: measuredHere(result.trainSeconds, "s", SRC),
        wallTime: measuredHere((performance.now() - t0) / 1000, "s", SRC),
        samplesPerSecond: measuredHere(result.samplesPerSecond, "samples/s", SRC),
        test: test && {
          accuracy: measuredHere(test.accuracy, "fraction", SRC),
          balancedAccuracy: measuredHere(test.balancedAccuracy, "fraction", SRC),
          macroF1: measuredHere(test.macroF1, "fraction", SRC),
          loss: measuredHere(result.test!.loss, "nats", SRC),
        },
        artifacts: {
          training: `${dir}/training_model.onnx`,
          eval: `${dir}/eval_model.onnx`,
          model: modelPath,
          lastCheckpoint: `${dir}/last.ckpt`,
          bestCheckpoint: `${dir}/best.ckpt`,
        },
      };
      const report = await writeReport(dir, "train.json", {
        kind: "train",
        seed,
        configPaths: [path],
        timingsMs: { prepare: tPrepared - t0, total: performance.now() - t0 },
        body,
      });
      if (globals.json) console.log(JSON.stringify(body, null, 2));
      else {
        const acc = test ? `${(100 * test.accuracy).toFixed(2)}%` : "n/a";
        console.log(
          `trained ${config.name}: best epoch ${result.bestEpoch}, test accuracy ${acc}` +
            (test
              ? ` (balanced ${(100 * test.balancedAccuracy).toFixed(2)}%, macro F1 ${
                test.macroF1.toFixed(4)
              })`
              : "") +
            `, ${
              result.samplesPerSecond.toFixed(0)
            } samples/s on ${backend} x${opts.workers}\nreport: ${report}`,
        );
      }
    });
}
