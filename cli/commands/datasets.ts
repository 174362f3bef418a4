/**
 * `adaspring datasets prepare --task NAME` and `adaspring datasets inspect --task NAME`.
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { table as newTable } from "../table.ts";
import { dirname, join } from "node:path";
import type { DatasetSource } from "../../lib/config/dataset.ts";
import { loadTaskConfig } from "../../lib/config/task.ts";
import { SPLIT_NAMES } from "../../lib/data/cache.ts";
import { type DatasetSummary, summarizeDataset } from "../../lib/data/describe.ts";
import { DEFAULT_CACHE_ROOT, prepareDataset, type PrepareResult } from "../../lib/data/prepare.ts";
import { samplePreview } from "../../lib/data/preview.ts";
import { loaderFor } from "../../lib/data/registry.ts";
import { writeFigure } from "../../lib/plot/mod.ts";
import { runDir, writeReport } from "../../lib/report/report.ts";

/** Global options of the root program that these commands read. */
type Globals = { seed?: number; out?: string; json?: true };

/** Progress lines on stderr, one per new message (a bar would garble non-terminal logs). */
function stderrProgress(task: string): (fraction: number, message: string) => void {
  let last = "";
  return (fraction, message) => {
    if (message === last) return;
    last = message;
    console.error(
      `datasets ${task}: [${Math.round(fraction * 100).toString().padStart(3)}%] ` +
        message,
    );
  };
}

interface Prepared {
  result: PrepareResult;
  configPath: string;
  seed: number;
  source: DatasetSource;
}

async function prepareTask(
  task: string,
  globals: Globals,
  opts: { force?: true; cacheDir: string },
): Promise<Prepared> {
  const { config, path } = await loadTaskConfig(task);
  const seed = globals.seed ?? config.seed;
  const result = await prepareDataset(config.name, config.dataset, {
    seed,
    baseDir: dirname(path),
    cacheDir: opts.cacheDir,
    force: opts.force === true,
    onProgress: stderrProgress(config.name),
    onWarning: (message) => console.error(`warning: ${message}`),
  });
  return { result, configPath: path, seed, source: config.dataset.source };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

function cacheFacts(p: Prepared) {
  return {
    cacheDir: p.result.cacheDir,
    fromCache: p.result.fromCache,
    timingsMs: Object.fromEntries(
      Object.entries(p.result.timingsMs).map(([k, v]) => [k, round(v)]),
    ),
  };
}

function pct(n: number, total: number): string {
  return total ? `${n} (${((100 * n) / total).toFixed(1)}%)` : "0";
}

/** The class-balance table: one row per class, one column per split. */
function balanceTable(s: DatasetSummary): string {
  const table = newTable({ head: ["class", ...SPLIT_NAMES] });
  for (const c of s.classes) {
    table.push([c, ...SPLIT_NAMES.map((n) => pct(s.splits[n].classCounts[c], s.splits[n].count))]);
  }
  table.push(["total", ...SPLIT_NAMES.map((n) => String(s.splits[n].count))]);
  if (SPLIT_NAMES.some((n) => s.splits[n].groups !== undefined)) {
    table.push(["groups", ...SPLIT_NAMES.map((n) => String(s.splits[n].groups ?? "-"))]);
  }
  return table.toString();
}

/** The facts table: provenance, shape, normalisation, cache. */
function factsTable(s: DatasetSummary, p: Prepared): string {
  const table = newTable({ wordWrap: true, wrapOnWordBoundary: false, colWidths: [16, 84] });
  const norm = s.normalization.map((n) =>
    `${n.channel}: mean ${n.mean.toPrecision(5)}, ` +
    `std ${n.std.toPrecision(5)}`
  ).join("\n");
  const how = p.result.fromCache
    ? `read from cache in ${round(p.result.timingsMs.total)} ms`
    : `built in ${round(p.result.timingsMs.total)} ms`;
  table.push(
    ["task", `${s.task} (seed ${s.seed})`],
    ["provenance", s.provenance],
    ["source", s.source],
    ["input shape", s.inputShape.join(" x ")],
    ["normalisation", `${norm}\n(per channel, from the training split)`],
    ["checksum", `sha256 ${s.checksum}`],
    ["cache", `${p.result.cacheDir}\n${how}`],
  );
  return table.toString();
}

/** Register the `datasets` command group. */
export function registerDatasetCommands(program: Command<[], Globals>): void {
  const datasets = program.command("datasets")
    .description("prepare and inspect a task's data (deterministic splits, cached tensors)");

  datasets.command("prepare")
    .description("load, split, normalise and cache a task's dataset (reuses a verified cache)")
    .requiredOption("--task <name>", "task name (configs/tasks/<name>.yaml) or path to a task YAML")
    .option("--force", "rebuild even when a valid cache exists")
    .option("--cache-dir <dir>", "cache root", DEFAULT_CACHE_ROOT)
    .action(async (opts, cmd) => {
      const globals = cmd.optsWithGlobals() as Globals;
      const p = await prepareTask(opts.task, globals, opts);
      const summary = summarizeDataset(p.result);
      const dir = runDir(globals.out, "datasets-prepare");
      const report = await writeReport(dir, "dataset.json", {
        kind: "datasets-prepare",
        seed: p.seed,
        configPaths: [p.configPath],
        timingsMs: p.result.timingsMs,
        body: { ...summary, ...cacheFacts(p) },
      });
      if (globals.json) {
        console.log(JSON.stringify({ ...summary, ...cacheFacts(p), report }, null, 2));
        return;
      }
      const counts = SPLIT_NAMES.map((n) => `${summary.splits[n].count} ${n}`).join(" / ");
      const how = p.result.fromCache ? "read from cache" : "built";
      console.log(
        `${summary.task} (${summary.provenance}): ${counts}, input ` +
          `${summary.inputShape.join("x")}`,
      );
      console.log(`${how} in ${round(p.result.timingsMs.total)} ms: ${p.result.cacheDir}`);
      console.log(`checksum sha256 ${summary.checksum}`);
      for (const w of summary.warnings) console.error(`note: ${w}`);
      console.log(`report ${report}`);
    });

  datasets.command("inspect")
    .description("summarise a task's dataset: split sizes, class balance, provenance, samples")
    .requiredOption("--task <name>", "task name (configs/tasks/<name>.yaml) or path to a task YAML")
    .option("--cache-dir <dir>", "cache root", DEFAULT_CACHE_ROOT)
    .action(async (opts, cmd) => {
      const globals = cmd.optsWithGlobals() as Globals;
      const p = await prepareTask(opts.task, globals, opts);
      const summary = summarizeDataset(p.result);
      const dir = runDir(globals.out, "datasets-inspect");
      const svg = await samplePreview(p.result, loaderFor(p.source).view);
      const figure = await writeFigure(join(dir, "samples"), svg);
      const report = await writeReport(dir, "dataset.json", {
        kind: "datasets-inspect",
        seed: p.seed,
        configPaths: [p.configPath],
        timingsMs: p.result.timingsMs,
        body: { ...summary, ...cacheFacts(p), figure },
      });
      if (globals.json) {
        console.log(JSON.stringify({ ...summary, ...cacheFacts(p), figure, report }, null, 2));
        return;
      }
      console.log(balanceTable(summary));
      console.log(factsTable(summary, p));
      for (const w of summary.warnings) console.log(`note: ${w}`);
      console.log(`samples ${figure.svg} (+ .png)`);
      console.log(`report  ${report}`);
    });
}
