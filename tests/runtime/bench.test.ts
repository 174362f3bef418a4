/**
 * Benchmark inputs (.npy, raw .bin, seeded random), timing statistics, `model bench` /
 * `model inspect` through the CLI, and the bench suite's report shape.
 */
import assert from "node:assert/strict";
import process from "node:process";
import { main } from "../../cli/main.ts";
import { AdaspringError, ExitCode } from "../../lib/errors.ts";
import { tensor } from "../../lib/onnx/dtype.ts";
import { plainCnn } from "../../lib/onnx/examples.ts";
import { writeModelFile } from "../../lib/onnx/file.ts";
import { isFigure } from "../../lib/report/provenance.ts";
import { benchModelFile } from "../../lib/runtime/bench.ts";
import { fileFeeds, randomFeeds } from "../../lib/runtime/inputs.ts";
import { decodeNpy, encodeNpy } from "../../lib/runtime/npy.ts";
import { timingStats } from "../../lib/runtime/stats.ts";
import { runBenchSuite } from "../../lib/runtime/suite.ts";
import { createRng } from "../../lib/util/rng.ts";

const INPUT = [{ name: "input", dtype: "float32" as const, shape: ["N", 3, 2, 2] }];

Deno.test(".npy round trip and errors", () => {
  for (
    const t of [
      tensor("float32", [2, 3], [1, 2, 3, 4, 5, 6]),
      tensor("int64", [3], [-1, 0, 7]),
      tensor("uint8", [], [9]),
    ]
  ) {
    assert.deepEqual(decodeNpy(encodeNpy(t), "t.npy"), t);
  }
  assert.throws(() => decodeNpy(new Uint8Array(20), "z.npy"), /z\.npy: not a \.npy file/);
  const header = new TextEncoder().encode(
    "{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }\n",
  );
  const magic = [0x93, ...new TextEncoder().encode("NUMPY"), 1, 0, header.length, 0];
  const bytes = new Uint8Array([...magic, ...header, 0, 0]);
  assert.throws(() => decodeNpy(bytes, "h.npy"), /h\.npy: \.npy dtype '<f2' is not supported/);
});

Deno.test("file feeds: .npy, raw .bin with inferred batch, and size errors", async () => {
  const dir = await Deno.makeTempDir();
  const t = tensor("float32", [2, 3, 2, 2], Array.from({ length: 24 }, (_, i) => i));
  await Deno.writeFile(`${dir}/x.npy`, encodeNpy(t));
  await Deno.writeFile(`${dir}/x.bin`, new Uint8Array(t.data.buffer));
  assert.deepEqual((await fileFeeds(INPUT, [`${dir}/x.npy`])).input, t);
  assert.deepEqual((await fileFeeds(INPUT, [`input=${dir}/x.bin`])).input, t);
  await Deno.writeFile(`${dir}/odd.bin`, new Uint8Array(10));
  await assert.rejects(
    () => fileFeeds(INPUT, [`${dir}/odd.bin`]),
    /10 bytes do not fill input "input"/,
  );
  await assert.rejects(
    () => fileFeeds(INPUT, [`${dir}/none.bin`]),
    /none\.bin: cannot read input file/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("random feeds are seeded and bind symbolic dims", () => {
  const a = randomFeeds(INPUT, createRng(3), { N: 5 });
  const b = randomFeeds(INPUT, createRng(3), { N: 5 });
  assert.deepEqual(a, b);
  assert.deepEqual(a.input.shape, [5, 3, 2, 2]);
  assert.notDeepEqual(randomFeeds(INPUT, createRng(4), { N: 5 }), a);
});

Deno.test("timing statistics", () => {
  const s = timingStats([5, 1, 4, 2, 3, 10, 6, 7, 8, 9]);
  assert.deepEqual(s, { n: 10, min: 1, median: 5.5, p90: 9, max: 10, mean: 5.5 });
  assert.throws(() => timingStats([]), /no timings/);
});

Deno.test("benchModelFile times a model at a chosen batch", async () => {
  const dir = await Deno.makeTempDir();
  await writeModelFile(`${dir}/m.onnx`, plainCnn(createRng(1)));
  const r = await benchModelFile(`${dir}/m.onnx`, { batch: 4, repeat: 3, warmup: 1 });
  assert.equal(r.latencyMs.n, 3);
  assert.ok(r.latencyMs.min <= r.latencyMs.median && r.latencyMs.median <= r.latencyMs.max);
  assert.deepEqual(r.inputs[0].shape, [4, 3, 32, 32]);
  assert.ok(r.samplesPerSecond > 0);
  await assert.rejects(
    () => benchModelFile(`${dir}/m.onnx`, { backend: "gpu" }),
    (e: unknown) => e instanceof AdaspringError && e.exitCode === ExitCode.badInput,
  );
  await Deno.remove(dir, { recursive: true });
});

/** Runs the CLI in-process; returns the exit code, stdout and stderr (console and Commander's). */
async function quietMain(args: string[]): Promise<[number, string, string]> {
  const log = console.log;
  const err = console.error;
  const write = process.stderr.write;
  let out = "";
  let errOut = "";
  console.log = (...a: unknown[]) => (out += a.join(" ") + "\n");
  console.error = (...a: unknown[]) => (errOut += a.join(" ") + "\n");
  process.stderr.write = ((chunk: string | Uint8Array) => {
    errOut += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return [await main(args), out, errOut];
  } finally {
    console.log = log;
    console.error = err;
    process.stderr.write = write;
  }
}

Deno.test("CLI: model inspect --json and model bench write what they say", async () => {
  const dir = await Deno.makeTempDir();
  await writeModelFile(`${dir}/m.onnx`, plainCnn(createRng(2)));
  const [code, out] = await quietMain([
    "--json",
    "model",
    "inspect",
    `${dir}/m.onnx`,
    "--batch",
    "2",
  ]);
  assert.equal(code, 0);
  const summary = JSON.parse(out);
  assert.equal(summary.ops[0].op, "Conv");
  assert.equal(summary.flopsDims.N, 2);
  const [benchCode] = await quietMain([
    "--out",
    `${dir}/run`,
    "model",
    "bench",
    `${dir}/m.onnx`,
    "--repeat",
    "2",
    "--warmup",
    "0",
  ]);
  assert.equal(benchCode, 0);
  const report = JSON.parse(await Deno.readTextFile(`${dir}/run/model-bench.json`));
  assert.equal(report.kind, "model-bench");
  for (const k of ["min", "median", "p90", "max"]) {
    assert.equal(report.body.latencyMs[k].provenance, "measured-here");
  }
  assert.equal((await quietMain(["model", "bench", `${dir}/absent.onnx`]))[0], ExitCode.badInput);
  const [backendCode, , backendErr] = await quietMain([
    "model",
    "bench",
    `${dir}/m.onnx`,
    "--backend",
    "x",
  ]);
  assert.equal(backendCode, ExitCode.usage);
  assert.match(
    backendErr,
    /option '--backend <name>' argument 'x' is invalid\. expected one of web, native, got "x"/,
  );
  await Deno.remove(dir, { recursive: true });
});

/** A user-facing CLI error: one `error:` paragraph, no stack trace, no "internal error". */
function assertCleanError(stderr: string, pattern: RegExp): void {
  assert.match(stderr, pattern);
  assert.match(stderr, /^error: /);
  assert.doesNotMatch(stderr, /internal error|\n\s+at |\.ts:\d+:\d+/);
}

Deno.test("CLI: model bench with --input NAME=FILE.npy at --batch 2, and its input errors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeModelFile(`${dir}/m.onnx`, plainCnn(createRng(3)));
    const x = randomFeeds(
      [{ name: "input", dtype: "float32", shape: [2, 3, 32, 32] }],
      createRng(4),
    ).input;
    await Deno.writeFile(`${dir}/x.npy`, encodeNpy(x));
    const bench = (...extra: string[]) =>
      quietMain([
        "--json",
        "--out",
        `${dir}/run`,
        "model",
        "bench",
        `${dir}/m.onnx`,
        "--repeat",
        "2",
        "--warmup",
        "1",
        ...extra,
      ]);
    const [code, out, err] = await bench("--batch", "2", "--input", `input=${dir}/x.npy`);
    assert.equal(code, 0, err);
    const report = JSON.parse(await Deno.readTextFile(`${dir}/run/model-bench.json`));
    assert.equal(report.body.batch, 2);
    assert.equal(report.body.warmup, 1);
    assert.deepEqual(report.body.inputs, [
      { name: "input", dtype: "float32", shape: [2, 3, 32, 32], source: "file" },
    ]);
    assert.ok(out.length > 0, "--json prints the result");

    // A file whose shape does not fit the model: bad input naming the input, no stack.
    const wrong = randomFeeds(
      [{ name: "input", dtype: "float32", shape: [2, 3, 16, 16] }],
      createRng(5),
    ).input;
    await Deno.writeFile(`${dir}/wrong.npy`, encodeNpy(wrong));
    const [wrongCode, , wrongErr] = await bench("--input", `input=${dir}/wrong.npy`);
    assert.equal(wrongCode, ExitCode.badInput);
    assertCleanError(
      wrongErr,
      /input "input" expects shape \[N,3,32,32\], was given \[2,3,16,16\]/,
    );

    // A corrupt model file.
    const bytes = await Deno.readFile(`${dir}/m.onnx`);
    await Deno.writeFile(`${dir}/cut.onnx`, bytes.subarray(0, bytes.length / 2));
    const [cutCode, , cutErr] = await quietMain(["model", "bench", `${dir}/cut.onnx`]);
    assert.equal(cutCode, ExitCode.badInput);
    assertCleanError(cutErr, /cut\.onnx: not a valid ONNX model/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Every number under `body` that is a timing or ratio must be a measured-here figure. */
function assertAllFiguresMeasured(x: unknown, path = "body"): number {
  if (isFigure(x)) {
    assert.equal(x.provenance, "measured-here", path);
    return 1;
  }
  if (x === null || typeof x !== "object") return 0;
  let n = 0;
  for (const [k, v] of Object.entries(x)) n += assertAllFiguresMeasured(v, `${path}.${k}`);
  return n;
}

Deno.test("bench suite (tiny settings) reports measured-here figures for every part", async () => {
  const body = await runBenchSuite({
    repeatSmall: 2,
    repeatLarge: 1,
    warmup: 0,
    sessions: 1,
    poolRuns: 1,
    poolBatch: 2,
    webOnly: true,
  });
  assert.ok(assertAllFiguresMeasured(body) >= 20);
  const rows = body.latency as { model: string; batch: number }[];
  assert.deepEqual(rows.map((r) => `${r.model}@${r.batch}`), [
    "plain-cnn@1",
    "plain-cnn@64",
    "separable-cnn@1",
    "separable-cnn@64",
  ]);
  const pool = body.workerPool as { speedup: { value: number } };
  assert.ok(pool.speedup.value > 0);
  assert.match(
    String((body.sessionCreation as { native: { skipped: string } }).native.skipped),
    /skipped/,
  );
});
