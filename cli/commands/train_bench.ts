/**
 * `adaspring train-bench`: training throughput of the mnist task's backbone (batch 64 by
 * default) on onnxruntime-web (1 and 2 workers), onnxruntime-node (when installed) and
 * TensorFlow.js (CPU backend), in one run, with ratios against web x1 and the machine's load
 * average before and after. Writes `train-bench.json` into the run directory.
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { loadTaskConfig } from "../../lib/config/task.ts";
import { measuredHere } from "../../lib/report/provenance.ts";
import { runDir, writeReport } from "../../lib/report/report.ts";
import { runTrainBench, type VariantResult } from "../../lib/train/bench/throughput.ts";
import { parsePositiveInt } from "../options.ts";
import { table } from "../table.ts";

type Globals = { seed?: number; out?: string; json?: true };

/** Why the WASM backend of TensorFlow.js is not a variant (checked in a scratch project). */
const TFJS_WASM_NOTE = "@tensorflow/tfjs-backend-wasm 4.22.0 runs the forward pass but its " +
  "training step fails: Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'";

function loadavg(): [number, number, number] {
  const [a, b, c] = Deno.loadavg();
  return [a, b, c];
}

function figures(v: VariantResult, base: VariantResult | undefined) {
  if (v.skipped) {
    return { name: v.name, runtime: v.runtime, workers: v.workers, skipped: v.skipped };
  }
  const src = "adaspring train-bench";
  return {
    name: v.name,
    runtime: v.runtime,
    workers: v.workers,
    steps: v.steps,
    stepsPerSecond: measuredHere(v.stepsPerSecond!, "steps/s", src),
    imagesPerSecond: measuredHere(v.imagesPerSecond!, "images/s", src),
    medianStepMs: measuredHere(v.stepMs!.median, "ms", src),
    ratioVsWeb1: base?.stepsPerSecond
      ? measuredHere(v.stepsPerSecond! / base.stepsPerSecond, "x", src)
      : undefined,
    meanLoss: v.meanLoss,
  };
}

/**
 * Registers `train-bench` on the root program. It is a sibling of `train`, not a subcommand,
 * because `train` requires `--task` and commander checks required options up the chain.
 */
// deno-lint-ignore no-explicit-any
export function registerTrainBenchCommand(cmd: Command<any, any, any>): void {
  cmd.command("train-bench")
    .description(
      "training steps/s of the mnist backbone: ORT-web x1/x2, onnxruntime-node, TensorFlow.js",
    )
    .option("--steps <n>", "timed steps per ONNX Runtime variant", parsePositiveInt, 20)
    .option("--tfjs-steps <n>", "timed steps of TensorFlow.js (~100 s each)", parsePositiveInt, 1)
    .option("--batch <n>", "global batch size (even: split over 2 workers)", parsePositiveInt, 64)
    .option("--quick", "5 steps per ONNX variant, 1 for TensorFlow.js, one round")
    .action(async (opts, c) => {
      const globals = c.optsWithGlobals() as Globals;
      const { config, path } = await loadTaskConfig("mnist");
      const seed = globals.seed ?? config.seed;
      const steps = opts.quick ? 5 : opts.steps;
      const tfjsSteps = opts.quick ? 1 : opts.tfjsSteps;
      const rounds = opts.quick ? 1 : 2;
      const before = loadavg();
      const t0 = performance.now();
      const r = await runTrainBench({
        spec: config.model,
        inputShape: [1, 28, 28],
        classes: 10,
        batch: opts.batch,
        steps,
        tfjsSteps,
        rounds,
        seed,
        onLog: (line) => console.error(line),
      });
      const ms = performance.now() - t0;
      const after = loadavg();
      const base = r.variants.find((v) => v.runtime === "onnxruntime-web" && v.workers === 1);
      const body = {
        network: {
          task: config.name,
          backbone: config.model,
          inputShape: [1, 28, 28],
          classes: 10,
          parameters: r.parameters,
          batch: opts.batch,
          data: "seeded random normal images and labels (throughput does not depend on values)",
          optimizer: "SGD momentum 0.9, no weight decay, in every variant",
        },
        steps,
        tfjsSteps,
        rounds,
        loadAverage: { before, after },
        variants: r.variants.map((v) => figures(v, base)),
        notes: [
          "each step: forward, backward, SGD-momentum update, BN running statistics",
          "variants are timed in interleaved rounds in one process; compare ratios",
          "TensorFlow.js gets no warm-up step (one step takes minutes on its CPU backend)",
          `TensorFlow.js WASM backend not benchmarked: ${TFJS_WASM_NOTE}`,
        ],
      };
      const file = await writeReport(runDir(globals.out, "train-bench"), "train-bench.json", {
        kind: "train-bench",
        seed,
        configPaths: [path],
        timingsMs: { total: ms },
        body,
      });
      if (globals.json) {
        console.log(JSON.stringify(body, null, 2));
      } else {
        const t = table({
          head: ["variant", "steps", "steps/s", "images/s", "median ms", "vs web x1"],
        });
        t.push(
          ...r.variants.map((v) =>
            v.skipped ? [v.name, "skipped", "", "", "", ""] : [
              v.name,
              String(v.steps),
              v.stepsPerSecond!.toFixed(2),
              v.imagesPerSecond!.toFixed(1),
              v.stepMs!.median.toFixed(1),
              base?.stepsPerSecond ? (v.stepsPerSecond! / base.stepsPerSecond).toFixed(3) : "",
            ]
          ),
        );
        console.log(t.toString());
        console.log(
          `load average before ${before.join(" ")}, after ${after.join(" ")}; report: ${file}`,
        );
      }
    });
}
