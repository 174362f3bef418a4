/**
 * `adaspring evaluate --suite quick|paper|FILE`: the paper-style evaluation (lib/evaluate), and
 * `adaspring evaluate check REPORT`: recompute a report's ratios and headline from its rows and
 * check every figure's provenance.
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { loadSuiteConfig } from "../../lib/config/suite.ts";
import { AdaspringError, badInput, ExitCode } from "../../lib/errors.ts";
import { checkEvaluation } from "../../lib/evaluate/check.ts";
import { matchedPairsCell } from "../../lib/evaluate/report_md.ts";
import { runSuite } from "../../lib/evaluate/run.ts";

type Globals = { seed?: number; out?: string; json?: true };

/** Register `adaspring evaluate` (and `evaluate check`). */
export function registerEvaluateCommand(program: Command<[], Globals>): void {
  const evaluate = program.command("evaluate")
    .description(
      "paper-style evaluation: hand-crafted baselines trained alone vs AdaSpring's matched " +
        "configurations on every platform, on-demand search, runtime evolution, case study",
    )
    .option("--suite <name>", "suite name (configs/evaluate/<name>.yaml) or path", "quick")
    .option("--tasks <list>", "only these tasks of the suite (comma-separated)")
    .option("--work <dir>", "where stages cache their results (default runs/evaluate-<suite>)")
    .action(async (opts, cmd) => {
      const globals = cmd.optsWithGlobals() as Globals;
      const loaded = await loadSuiteConfig(opts.suite);
      // --seed overrides the suite's seed (recorded in the report as the suite's).
      const suite = globals.seed === undefined
        ? loaded
        : { ...loaded, config: { ...loaded.config, seed: globals.seed } };
      const tasks = opts.tasks?.split(",").map((s) => s.trim()).filter(Boolean);
      for (const t of tasks ?? []) {
        if (!suite.config.tasks.includes(t)) {
          throw badInput(
            `--tasks ${t}: suite ${suite.config.name} (${suite.path}) has tasks ` +
              `${suite.config.tasks.join(", ")}`,
          );
        }
      }
      const r = await runSuite({
        suite,
        outDir: globals.out,
        workDir: opts.work,
        tasks,
      });
      const report = JSON.parse(await Deno.readTextFile(r.reportPath));
      const check = checkEvaluation(report.body);
      if (globals.json) console.log(JSON.stringify(report.body.headline, null, 2));
      else {
        for (const h of report.body.headline) {
          const f = (x: number | null) => (x === null ? "-" : `${x.toFixed(2)}x`);
          console.log(
            `${h.platform.padEnd(12)} latency reduction up to ${f(h.latencyReduction.max)} ` +
              `(geomean ${f(h.latencyReduction.geomean)}), efficiency gain up to ` +
              `${f(h.efficiencyGain.max)} (geomean ${f(h.efficiencyGain.geomean)}), ` +
              `matched ${matchedPairsCell(report.body.tasks, h.platform)}, ` +
              `${h.unmatched.length} unmatched`,
          );
        }
        console.log(`report: ${r.reportPath}, ${r.outDir}/report.md`);
      }
      if (check.problems.length > 0) {
        throw new AdaspringError(`report inconsistent:\n  ${check.problems.join("\n  ")}`, {
          exitCode: ExitCode.failure,
        });
      }
    });
  evaluate.command("check")
    .description("check a report: provenance of every figure, ratios and headline recomputed")
    .argument("<report>", "results/<suite>/report.json")
    .action(async (path) => {
      let body;
      try {
        body = JSON.parse(await Deno.readTextFile(path)).body;
      } catch (err) {
        throw badInput(`${path}: cannot read the report (${(err as Error).message})`, err);
      }
      if (!body || !Array.isArray(body.tasks)) {
        throw badInput(`${path}: not an evaluate report (no body.tasks)`);
      }
      const r = checkEvaluation(body);
      console.log(
        `${path}: ${r.figures} figures with provenance, ${r.comparisons} comparisons ` +
          `recomputed, ${r.problems.length} problems`,
      );
      if (r.problems.length > 0) {
        throw new AdaspringError(r.problems.join("\n"), { exitCode: ExitCode.failure });
      }
    });
}
