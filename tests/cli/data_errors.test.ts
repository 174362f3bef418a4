/**
 * Bad data through the whole CLI (`main`): a corrupt IDX, a truncated WAV, a malformed CSV and
 * an unknown task each exit 3 with one clear paragraph naming the file, print no stack trace,
 * and leave no cache directory behind.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ExitCode } from "../../lib/errors.ts";
import { runMain as run } from "./run_main.ts";
import { encodeIdxU8, sensorCsv, writeIdxDir } from "../data/fixtures.ts";
import { tone, writeWavFolder } from "../data/fixtures_sound.ts";

/** A task file for `source` reading `path`, written into `dir`. */
async function taskFile(dir: string, name: string, dataset: string, kind = "conv2d") {
  const path = join(dir, `${name}.yaml`);
  await Deno.writeTextFile(
    path,
    `name: ${name}\nmodality: image\ndataset:\n${dataset}\nmodel:\n  kind: ${kind}\n` +
      `  stem: { channels: 8 }\n  blocks:\n    - { channels: 8 }\n`,
  );
  return path;
}

/** Prepare `task` with a private cache; assert a clean bad-input failure naming `file`. */
async function assertCleanFailure(dir: string, task: string, file: RegExp) {
  const cache = join(dir, "cache");
  const r = await run([
    "--out",
    join(dir, "run"),
    "datasets",
    "prepare",
    "--task",
    task,
    "--cache-dir",
    cache,
  ]);
  assert.equal(r.code, ExitCode.badInput, r.err);
  assert.match(r.err, file);
  assert.doesNotMatch(r.err, /\n\s+at .*\.(ts|js):\d+/, "no stack trace");
  assert.doesNotMatch(r.err, /RangeError|TypeError|Uncaught/);
  const leftovers: string[] = [];
  try {
    for await (const e of Deno.readDir(cache)) leftovers.push(e.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  // A task directory may exist, but no cache entry (key directory) inside it.
  for (const t of leftovers) {
    const keys = [];
    for await (const e of Deno.readDir(join(cache, t))) keys.push(e.name);
    assert.deepEqual(keys, [], `cache entry left behind: ${t}/${keys.join(",")}`);
  }
}

Deno.test("CLI: a corrupt IDX file exits 3 with the file named and no cache", async () => {
  const dir = await Deno.makeTempDir();
  await writeIdxDir(join(dir, "idx"));
  const bad = encodeIdxU8([20, 2, 3], new Uint8Array(120));
  bad[2] = 0x0d; // element type 0x0d (float) where unsigned bytes are expected
  await Deno.writeFile(join(dir, "idx", "train-images-idx3-ubyte"), bad);
  const task = await taskFile(dir, "bad-idx", "  source: mnist\n  path: idx");
  await assertCleanFailure(dir, task, /train-images-idx3-ubyte/);
});

Deno.test("CLI: a truncated WAV file exits 3 with the file named and no cache", async () => {
  const dir = await Deno.makeTempDir();
  const files = ["a", "b"].flatMap((cls, k) =>
    [0, 1, 2].map((i) => ({
      cls,
      name: `${i}.wav`,
      channels: [tone(300 + 200 * k + 10 * i, 16000, 16000)],
      rate: 16000,
    }))
  );
  const root = await writeWavFolder(join(dir, "wav"), files);
  const victim = join(root, "b", "1.wav");
  const bytes = await Deno.readFile(victim);
  await Deno.writeFile(victim, bytes.subarray(0, 30));
  const task = await taskFile(dir, "bad-wav", "  source: sound\n  path: wav");
  await assertCleanFailure(dir, task, /b\/1\.wav/);
});

Deno.test("CLI: a malformed sensor CSV row exits 3 with file:line and no cache", async () => {
  const dir = await Deno.makeTempDir();
  const lines = sensorCsv(1, 64).split("\n");
  lines[5] = "5,1,1,humid,20.00,0";
  await Deno.writeTextFile(join(dir, "s.csv"), lines.join("\n"));
  const task = await taskFile(
    dir,
    "bad-csv",
    "  source: sensor\n  path: s.csv\n  window: 8\n  block: 32",
    "conv1d",
  );
  await assertCleanFailure(dir, task, /s\.csv:6/);
});

Deno.test("CLI: an unknown task name exits 3 and lists the shipped tasks", async () => {
  const dir = await Deno.makeTempDir();
  const r = await run(["--out", join(dir, "run"), "datasets", "prepare", "--task", "mnits"]);
  assert.equal(r.code, ExitCode.badInput, r.err);
  assert.match(r.err, /mnits/);
  assert.match(r.err, /mnist/);
  assert.doesNotMatch(r.err, /\n\s+at .*\.(ts|js):\d+/);
});
