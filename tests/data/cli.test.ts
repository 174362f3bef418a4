import assert from "node:assert/strict";
import { join } from "node:path";
import { Command } from "@commander-js/extra-typings";
import { registerDatasetCommands } from "../../cli/commands/datasets.ts";
import { sensorCsv } from "./fixtures.ts";

const TASK = `name: fx-sensor
modality: environment
dataset:
  source: sensor
  path: s.csv
  window: 8
  block: 32
model:
  kind: conv1d
  stem: { channels: 8 }
  blocks:
    - { channels: 8 }
`;

/** Run `adaspring ARGS` with the datasets commands, capturing stdout. */
async function run(args: string[]): Promise<string> {
  const program = new Command("adaspring")
    .option("--seed <n>", "seed", Number)
    .option("--out <dir>", "run directory")
    .option("--json", "JSON output")
    .exitOverride();
  registerDatasetCommands(program);
  const lines: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...a: unknown[]) => lines.push(a.join(" "));
  console.error = () => {};
  try {
    await program.parseAsync(args, { from: "user" });
  } finally {
    [console.log, console.error] = [log, error];
  }
  return lines.join("\n");
}

Deno.test("datasets prepare and inspect --json on a fixture task", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "s.csv"), sensorCsv(2, 128, { 1: [40, 50] }));
  await Deno.writeTextFile(join(dir, "task.yaml"), TASK);
  const cache = join(dir, "cache");
  const task = join(dir, "task.yaml");

  const prepared = JSON.parse(
    await run([
      "--json",
      "--out",
      join(dir, "p"),
      "datasets",
      "prepare",
      "--task",
      task,
      "--cache-dir",
      cache,
    ]),
  );
  assert.equal(prepared.fromCache, false);
  assert.equal(prepared.task, "fx-sensor");
  assert.equal(prepared.provenance, "real");

  const out = join(dir, "run");
  const inspected = JSON.parse(
    await run([
      "--json",
      "--seed",
      "0",
      "--out",
      out,
      "datasets",
      "inspect",
      "--task",
      task,
      "--cache-dir",
      cache,
    ]),
  );
  assert.equal(inspected.fromCache, true);
  assert.equal(inspected.checksum, prepared.checksum);
  const total = ["train", "val", "test"].reduce((n, s) => n + inspected.splits[s].count, 0);
  assert.equal(total, 2 * 4 * 7); // 2 motes x 4 blocks x 7 windows
  assert.deepEqual(inspected.inputShape, [2, 8]);
  assert.equal(inspected.normalization[0].channel, "humidity (%)");
  const report = JSON.parse(await Deno.readTextFile(join(out, "dataset.json")));
  assert.equal(report.kind, "datasets-inspect");
  assert.equal(report.body.checksum, prepared.checksum);
  assert.ok((await Deno.stat(join(out, "samples.svg"))).size > 0);
  assert.ok((await Deno.stat(join(out, "samples.png"))).size > 0);

  const table = await run([
    "--out",
    out,
    "datasets",
    "inspect",
    "--task",
    task,
    "--cache-dir",
    cache,
  ]);
  assert.match(table, /anomalous/);
  assert.match(table, /sha256 [0-9a-f]{64}/);
});
