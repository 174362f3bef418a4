/**
 * `adaspring profile`: latency (measured here, or modeled), energy, memory and accuracy of a
 * task's supernet on a platform, the accuracy predictor and the Pareto set; and
 * `adaspring profile show FILE`: a profile's summary after checking it is still fresh.
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { loadPlatformConfig } from "../../lib/config/platform.ts";
import { loadTaskConfig } from "../../lib/config/task.ts";
import { assertFresh, readProfile } from "../../lib/profile/artifact.ts";
import { runProfile, weightsIdentity } from "../../lib/profile/run.ts";
import { summarizeProfile } from "../../lib/profile/run_report.ts";
import { parsePositiveInt } from "../options.ts";

type Globals = { seed?: number; out?: string; json?: true };

/** Register `adaspring profile` (and its `show` subcommand). */
export function registerProfileCommand(program: Command<[], Globals>): void {
  const profile = program.command("profile")
    .description(
      "profile a task's supernet on a platform: per-block latency table (measured here) or " +
        "modeled latency, energy, memory, accuracy predictor, Pareto set",
    )
    .option("--platform <name>", "platform name (configs/platforms/<name>.yaml) or path")
    .option("--task <name>", "task name (configs/tasks/<name>.yaml) or path to a task YAML")
    .option("--weights <store>", "trained supernet weight store (.json); default: untrained")
    .option("--resume <dir>", "continue the profile in this run directory")
    .option("--quick", "small counts (for CI): few configurations, few repeats")
    .option("--repeats <n>", "timed runs per unit", parsePositiveInt)
    .option("--latency-samples <n>", "whole configurations measured (validation)", parsePositiveInt)
    .option("--accuracy-samples <n>", "configurations whose accuracy is measured", parsePositiveInt)
    .option("--limit <n>", "validation samples evaluated per configuration", parsePositiveInt)
    .option("--bn-samples <n>", "training samples for BN recalibration", parsePositiveInt)
    .option(
      "--workers <n>",
      "workers validating configurations in parallel (default: the cores, at most 4; " +
        "the accuracies do not depend on it)",
      parsePositiveInt,
    )
    .option("--calibration <file>", "host profile whose calibration a modeled platform uses")
    .option("--power-log <csv>", "power-meter log (timestamp,watts) of a run on the device")
    .option("--power-window <s,e,n>", "log span (seconds) of the run and its inference count")
    .option("--power-config <id>", "configuration the power log recorded (default: largest)")
    .action(async (opts, cmd) => {
      const globals = cmd.optsWithGlobals() as Globals;
      if (!opts.platform || !opts.task) {
        cmd.error("error: profile needs --platform <name> and --task <name>", { exitCode: 2 });
      }
      const r = await runProfile({
        platform: opts.platform!,
        task: opts.task!,
        weights: opts.weights,
        out: globals.out,
        resume: opts.resume,
        seed: globals.seed,
        quick: opts.quick,
        repeats: opts.repeats,
        latencySamples: opts.latencySamples,
        accuracySamples: opts.accuracySamples,
        limit: opts.limit,
        workers: opts.workers,
        bnSamples: opts.bnSamples,
        calibration: opts.calibration,
        powerLog: opts.powerLog,
        powerWindow: opts.powerWindow,
        powerConfig: opts.powerConfig,
      });
      if (globals.json) {
        console.log(JSON.stringify({ ...r.body, timingsMs: r.timingsMs }, null, 2));
        return;
      }
      const phases = Object.entries(r.timingsMs).map(([k, ms]) =>
        `${k} ${(ms / 1000).toFixed(1)} s`
      );
      console.log(
        `${summarizeProfile(r.artifact)}\nphases: ${phases.join(", ")}\n` +
          `artifact: ${r.artifactPath}\nreport: ${r.reportPath}`,
      );
    });

  profile.command("show")
    .description("summarize a profile artifact after checking it is fresh")
    .argument("<file>", "profile artifact (profile-<platform>.json)")
    .option("--task <name>", "task config to check against (default: the one it was made from)")
    .option("--weights <store>", "weight store to check against (default: not checked)")
    .action(async (file, _opts, cmd) => {
      // The parent's --task/--weights take these options when both define them: read the merge.
      const globals = cmd.optsWithGlobals() as Globals & { task?: string; weights?: string };
      const opts = { task: globals.task, weights: globals.weights };
      const p = await readProfile(file);
      const task = await loadTaskConfig(opts.task ?? p.task.path ?? p.task.name);
      const platform = await loadPlatformConfig(p.platform.path);
      const weightsHash = opts.weights === undefined
        ? p.supernet.weightsHash
        : await weightsIdentity(opts.weights, globals.seed ?? task.config.seed);
      assertFresh(p, {
        taskConfigHash: task.hash,
        supernetWeightsHash: weightsHash,
        platformHash: platform.hash,
      }, file);
      if (globals.json) {
        const { lut, ...rest } = p;
        const summary = {
          ...rest,
          lut: lut &&
            {
              source: lut.source,
              protocol: lut.protocol,
              entries: Object.keys(lut.entries).length,
            },
          pareto: { ...p.pareto, front: p.pareto.front.length },
          accuracyPredictor: {
            quality: p.accuracyPredictor.quality,
            lambda: p.accuracyPredictor.model.lambda,
          },
          latencyValidation: p.latencyValidation && {
            raw: p.latencyValidation.raw,
            corrected: p.latencyValidation.corrected,
            correction: p.latencyValidation.correction,
          },
          fresh: true,
        };
        console.log(JSON.stringify(summary, null, 2));
        return;
      }
      console.log(
        `${summarizeProfile(p)}\nfresh: task config, platform file${
          opts.weights ? " and weights" : ""
        } unchanged since the profile was made`,
      );
    });
}
