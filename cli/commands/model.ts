/**
 * `adaspring model bench FILE.onnx`, `adaspring model inspect FILE.onnx` and
 * `adaspring model bench-suite`. Thin: the work is in lib/runtime and lib/onnx.
 *
 * @module
 */
import { type Command, InvalidArgumentError } from "@commander-js/extra-typings";
import { table as newTable } from "../table.ts";
import { readModelFile } from "../../lib/onnx/file.ts";
import { summarizeModel } from "../../lib/onnx/inspect.ts";
import { measuredHere } from "../../lib/report/provenance.ts";
import { runDir, writeReport } from "../../lib/report/report.ts";
import { benchModelFile, type ModelBenchResult } from "../../lib/runtime/bench.ts";
import { runBenchSuite } from "../../lib/runtime/suite.ts";
import { BACKENDS } from "../../lib/runtime/types.ts";
import { parsePositiveInt } from "../options.ts";

/** Global options of the root program that these commands read. */
type Globals = { seed?: number; out?: string; json?: true };

const SOURCE = "adaspring model bench";

function parseBackendOption(value: string): string {
  if (!(BACKENDS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${BACKENDS.join(", ")}, got "${value}".`);
  }
  return value;
}

function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError(`expected a non-negative integer, got "${value}".`);
  }
  return n;
}

const fmt = (v: number) => (v >= 100 ? v.toFixed(1) : v >= 1 ? v.toFixed(3) : v.toPrecision(3));

function benchBody(r: ModelBenchResult) {
  const f = (v: number) => measuredHere(v, "ms", SOURCE);
  return {
    model: r.model,
    backend: r.backend,
    batch: r.batch,
    warmup: r.warmup,
    runs: r.latencyMs.n,
    inputs: r.inputs,
    sessionCreateMs: f(r.sessionCreateMs),
    latencyMs: {
      min: f(r.latencyMs.min),
      median: f(r.latencyMs.median),
      p90: f(r.latencyMs.p90),
      max: f(r.latencyMs.max),
      mean: f(r.latencyMs.mean),
    },
    samplesPerSecond: measuredHere(r.samplesPerSecond, "samples/s", SOURCE),
  };
}

function shapeText(shape: readonly (number | string)[] | null): string {
  return shape === null ? "?" : `[${shape.join(", ")}]`;
}

/** Register the `model` command group. */
export function registerModelCommands(program: Command<[], Globals>): void {
  const model = program.command("model")
    .description("inspect and benchmark ONNX models on this machine");

  model.command("bench")
    .description(
      "time a model: min / median / p90 / max latency and throughput (measured here). " +
        "Inputs are seeded random tensors, or files: .npy (numpy.save) or raw little-endian " +
        "bytes of the input's dtype (any other extension).",
    )
    .argument("<file>", "ONNX model file")
    .option(
      "--backend <name>",
      `runtime backend: ${BACKENDS.join(" | ")}`,
      parseBackendOption,
      "web",
    )
    .option("--batch <n>", "batch size: replaces the inputs' first dimension", parsePositiveInt)
    .option("--repeat <n>", "timed runs", parsePositiveInt, 50)
    .option("--warmup <n>", "untimed runs before timing", parseNonNegativeInt, 5)
    .option("--threads <n>", "intra-op threads of the native backend", parsePositiveInt, 1)
    .option(
      "--input <spec...>",
      "input file(s) as NAME=PATH (or PATH for a one-input model) instead of random data",
    )
    .action(async (file, opts, cmd) => {
      const globals = cmd.optsWithGlobals() as Globals;
      const seed = globals.seed ?? 0;
      const result = await benchModelFile(file, {
        backend: opts.backend,
        batch: opts.batch,
        repeat: opts.repeat,
        warmup: opts.warmup,
        threads: opts.threads,
        seed,
        inputs: opts.input,
      });
      const body = benchBody(result);
      const report = await writeReport(runDir(globals.out, "model-bench"), "model-bench.json", {
        kind: "model-bench",
        seed,
        timingsMs: { sessionCreate: result.sessionCreateMs },
        body,
      });
      if (globals.json) {
        console.log(JSON.stringify({ ...body, report }, null, 2));
        return;
      }
      const l = result.latencyMs;
      const table = newTable({ head: ["ms (measured here)", "min", "median", "p90", "max"] });
      table.push([
        `${result.backend}, ${l.n} runs`,
        fmt(l.min),
        fmt(l.median),
        fmt(l.p90),
        fmt(l.max),
      ]);
      console.log(
        `${file}: ${result.inputs.map((i) => `${i.name}${shapeText(i.shape)}`).join(", ")}`,
      );
      console.log(table.toString());
      console.log(
        `throughput ${fmt(result.samplesPerSecond)} samples/s at the median; ` +
          `session created in ${fmt(result.sessionCreateMs)} ms`,
      );
      console.log(`report ${report}`);
    });

  model.command("inspect")
    .description("summarise a model: inputs, outputs, op histogram, parameters, bytes, FLOPs")
    .argument("<file>", "ONNX model file")
    .option(
      "--batch <n>",
      "batch size for the FLOPs estimate (symbolic dims, default 1)",
      parsePositiveInt,
    )
    .action(async (file, opts, cmd) => {
      const globals = cmd.optsWithGlobals() as Globals;
      const { model: m, bytes } = await readModelFile(file);
      const dims: Record<string, number> = {};
      if (opts.batch !== undefined) {
        for (const v of m.graph.inputs) {
          const d = v.shape?.[0];
          if (typeof d === "string") dims[d] = opts.batch;
        }
      }
      const s = summarizeModel(m, bytes.length, dims);
      if (globals.json) {
        console.log(JSON.stringify({ file, ...s }, null, 2));
        return;
      }
      const io = newTable({ head: ["", "name", "dtype", "shape"] });
      for (const v of s.inputs) io.push(["input", v.name, v.dtype, shapeText(v.shape)]);
      for (const v of s.outputs) io.push(["output", v.name, v.dtype, shapeText(v.shape)]);
      const ops = newTable({ head: ["op", "count"] });
      for (const o of s.ops) ops.push([o.op, String(o.count)]);
      const facts = newTable();
      facts.push(
        { producer: s.producer || "?" },
        { opsets: s.opsets.map((o) => `${o.domain} ${o.version}`).join(", ") },
        { nodes: String(s.nodes) },
        { parameters: s.parameters.toLocaleString("en-US") },
        { "parameter bytes": s.parameterBytes.toLocaleString("en-US") },
        { "file bytes": s.fileBytes.toLocaleString("en-US") },
        { "MACs (estimate)": s.macs.toLocaleString("en-US") },
        { "FLOPs (estimate)": s.flops.toLocaleString("en-US") },
      );
      console.log(io.toString());
      console.log(ops.toString());
      console.log(facts.toString());
      const bound = Object.entries(s.flopsDims).map(([k, v]) => `${k}=${v}`).join(", ");
      console.log(
        `FLOPs are static estimates per forward pass${
          bound ? ` with ${bound}` : " (symbolic dims = 1)"
        }.`,
      );
      if (s.uncosted.length) console.log(`not costed: ${s.uncosted.join(", ")}`);
    });

  model.command("bench-suite")
    .description(
      "measure two reference CNNs at batch 1 and 64 on web vs native, session creation, " +
        "and a 2-worker pool against 1 (all measured here, in one run)",
    )
    .option("--quick", "fewer repetitions (for CI and smoke tests)")
    .option("--web-only", "skip the native backend even when installed")
    .action(async (opts, cmd) => {
      const globals = cmd.optsWithGlobals() as Globals;
      const seed = globals.seed ?? 0;
      const quick = opts.quick === true;
      const t0 = performance.now();
      const body = await runBenchSuite({
        seed,
        webOnly: opts.webOnly === true,
        ...(quick ? { repeatSmall: 10, repeatLarge: 3, warmup: 2, sessions: 3, poolRuns: 4 } : {}),
        onProgress: (m) => console.error(`bench-suite: ${m}`),
      });
      const report = await writeReport(
        runDir(globals.out, "model-bench-suite"),
        "bench-suite.json",
        {
          kind: "model-bench-suite",
          seed,
          timingsMs: { total: performance.now() - t0 },
          body: { quick, ...body },
        },
      );
      if (globals.json) {
        console.log(JSON.stringify({ ...body, report }, null, 2));
        return;
      }
      printSuite(body);
      console.log(`report ${report}`);
    });
}

type Fig = { value: number };
type Lat = { medianMs: Fig; samplesPerSecond: Fig } | undefined;

function printSuite(body: Record<string, unknown>): void {
  const rows = body.latency as {
    model: string;
    batch: number;
    web: Lat;
    native: Lat;
    webOverNative?: Fig;
  }[];
  const lat = newTable({
    head: ["model", "batch", "web median ms", "native median ms", "web / native"],
  });
  for (const r of rows) {
    lat.push([
      r.model,
      String(r.batch),
      fmt(r.web!.medianMs.value),
      r.native ? fmt(r.native.medianMs.value) : "-",
      r.webOverNative ? `${r.webOverNative.value.toFixed(2)}x` : "-",
    ]);
  }
  const creation = body.sessionCreation as Record<
    string,
    Record<string, Fig> & { skipped?: string }
  >;
  const sc = newTable({
    head: ["backend", "first session ms", "later (median) ms", "cache hit (median) ms"],
  });
  for (const [b, c] of Object.entries(creation)) {
    if (c.skipped) sc.push([b, { colSpan: 3, content: String(c.skipped) }]);
    else {sc.push([
        b,
        fmt(c.firstMs.value),
        fmt(c.laterMedianMs.value),
        fmt(c.cacheHitMedianMs.value),
      ]);}
  }
  const pool = body.workerPool as {
    batch: number;
    oneWorker: { samplesPerSecond: Fig };
    twoWorkers: { samplesPerSecond: Fig };
    speedup: Fig;
  };
  const pt = newTable({ head: [`worker pool (batch ${pool.batch})`, "samples/s"] });
  pt.push(["1 worker", fmt(pool.oneWorker.samplesPerSecond.value)]);
  pt.push(["2 workers", fmt(pool.twoWorkers.samplesPerSecond.value)]);
  pt.push(["speed-up", `${pool.speedup.value.toFixed(2)}x`]);
  console.log("all figures measured here, in this run");
  console.log(lat.toString());
  console.log(sc.toString());
  console.log(pt.toString());
}
