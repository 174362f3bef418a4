import assert from "node:assert/strict";
import { join } from "node:path";
import { buildReport, REPORT_SCHEMA_VERSION, writeReport } from "../../lib/report/report.ts";
import { isFigure, measuredHere, modeled } from "../../lib/report/provenance.ts";
import { writeFileAtomic } from "../../lib/util/atomic.ts";

Deno.test("a report carries the envelope fields and config hashes", async () => {
  const dir = await Deno.makeTempDir();
  const cfg = join(dir, "c.yaml");
  await Deno.writeTextFile(cfg, "abc");
  const path = await writeReport(dir, "r.json", {
    kind: "test",
    seed: 7,
    configPaths: [cfg],
    timingsMs: { total: 1.5 },
    body: { latency: measuredHere(2, "ms"), energy: modeled(1, "mJ", "pi4.yaml") },
  });
  const r = JSON.parse(await Deno.readTextFile(path));
  assert.equal(r.schemaVersion, REPORT_SCHEMA_VERSION);
  assert.equal(r.seed, 7);
  assert.equal(
    r.configs[0].sha256,
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.ok(r.machine.logicalCores >= 1);
  assert.match(r.machine.deno, /^\d+\.\d+/);
  assert.match(r.machine.onnxruntimeWeb, /^\d+\.\d+\.\d+$/);
  assert.ok(typeof r.gitCommit === "string" && r.gitCommit.length > 0);
  assert.ok(isFigure(r.body.latency) && isFigure(r.body.energy));
  assert.ok(Array.isArray(r.commandLine) && r.commandLine[0] === "adaspring");
  assert.ok(Math.abs(Date.parse(r.createdAt) - Date.now()) < 3600_000, r.createdAt);
  assert.ok(typeof r.machine.cpuModel === "string" && r.machine.cpuModel.length > 0);
  assert.ok(r.machine.memoryBytes > 0);
  assert.deepEqual(r.timingsMs, { total: 1.5 });
  assert.equal(r.timingsProvenance, "measured-here");
  assert.equal(r.body.energy.provenance, "modeled");
});

Deno.test("a report without seed records null", async () => {
  const r = await buildReport({ kind: "x", body: {} });
  assert.equal(r.seed, null);
});

Deno.test("atomic writes replace the file and leave no temporary behind", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "sub", "f.json");
  await writeFileAtomic(path, "one");
  await writeFileAtomic(path, "two");
  assert.equal(await Deno.readTextFile(path), "two");
  const names = [...Deno.readDirSync(join(dir, "sub"))].map((e) => e.name);
  assert.deepEqual(names, ["f.json"]);
});

Deno.test("a failed atomic write leaves the old file intact and no temporary", async () => {
  const dir = await Deno.makeTempDir();
  const target = join(dir, "t");
  await Deno.mkdir(target); // renaming a file over a non-empty directory fails
  await Deno.writeTextFile(join(target, "keep"), "x");
  await assert.rejects(writeFileAtomic(target, "data"));
  const names = [...Deno.readDirSync(dir)].map((e) => e.name);
  assert.deepEqual(names, ["t"]);
  assert.equal(await Deno.readTextFile(join(target, "keep")), "x");
});

Deno.test("isFigure rejects numbers without provenance", () => {
  assert.equal(isFigure({ value: 1, unit: "ms" }), false);
  assert.equal(isFigure({ value: 1, unit: "ms", provenance: "guessed" }), false);
});
