import assert from "node:assert/strict";
import { join } from "node:path";
import { AdaspringError, ExitCode } from "../../lib/errors.ts";
import { HAR_ACTIVITIES } from "../../lib/data/har/activities.ts";
import { loadHar } from "../../lib/data/har/mod.ts";
import { harOptionsSchema } from "../../lib/data/har/schema.ts";
import { parseActivityLabels, parseSignalRows, readUciHar } from "../../lib/data/har/uci.ts";
import { createRng } from "../../lib/util/rng.ts";
import {
  editLine,
  FIXTURE_ROWS,
  fixtureValue,
  uciNumber,
  writeUciFixture,
} from "./fixtures_har.ts";

const ctx = (baseDir: string) => ({ rng: createRng(0), baseDir });

// Every fixture lives under one temporary folder, removed when the test module ends.
const TMP = await Deno.makeTempDir({ prefix: "adaspring-uci-" });
globalThis.addEventListener("unload", () => Deno.removeSync(TMP, { recursive: true }));
const tempDir = () => Deno.makeTempDir({ dir: TMP });
const inertial = (root: string, split: string, axis: string) =>
  join(root, split, "Inertial Signals", `total_acc_${axis}_${split}.txt`);

async function rejectsWith(promise: Promise<unknown>, ...parts: string[]): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof AdaspringError, `expected AdaspringError, got ${err}`);
    assert.equal(err.exitCode, ExitCode.badInput);
    for (const p of parts) assert.ok(err.message.includes(p), `"${p}" not in: ${err.message}`);
    return true;
  });
}

Deno.test("uciNumber writes UCI's number format and Number() reads it back", () => {
  assert.equal(uciNumber(1.0128124), "1.0128124e+000");
  assert.equal(uciNumber(-0.00123), "-1.2300000e-003");
  assert.equal(Number(uciNumber(-0.00123)), -0.00123);
});

Deno.test("UCI HAR fixture round trip: values, channel order, labels, subjects, splits", async () => {
  const root = await writeUciFixture(await tempDir());
  const spec = harOptionsSchema.parse({ source: "har", path: "." });
  const raw = await loadHar(spec, ctx(root)); // path relative to the task directory
  assert.equal(raw.provenance, "real");
  assert.deepEqual(raw.classes, [...HAR_ACTIVITIES]);
  assert.deepEqual(raw.inputShape, [3, 128]);
  assert.ok(raw.source.includes(root));
  for (const [split, samples] of [["train", raw.samples], ["test", raw.officialTest!]] as const) {
    const rows = FIXTURE_ROWS[split];
    assert.equal(samples.y.length, rows);
    assert.equal(samples.x.length, rows * 3 * 128);
    for (let i = 0; i < rows; i++) {
      assert.equal(samples.y[i], i % 6); // file ids 1..6 -> labels 0..5
      assert.equal(samples.groups![i], split === "train" ? 1 + (i % 3) : 4 + (i % 2));
      for (const c of [0, 1, 2]) {
        for (const t of [0, 1, 127]) {
          const got = samples.x[i * 384 + c * 128 + t];
          assert.ok(Math.abs(got - fixtureValue(split, i, c, t)) < 1e-6, `${split} ${i} ${c} ${t}`);
        }
      }
    }
  }
});

Deno.test("UCI HAR: a missing file is named", async () => {
  const root = await writeUciFixture(await tempDir());
  await Deno.remove(inertial(root, "test", "y"));
  await rejectsWith(readUciHar(root, 128), "total_acc_y_test.txt", "not found", "UCI HAR");
});

Deno.test("UCI HAR: a row with the wrong column count names file and line", async () => {
  const root = await writeUciFixture(await tempDir());
  const file = inertial(root, "train", "x");
  const row2 = (await Deno.readTextFile(file)).split("\n")[1];
  await editLine(file, 2, row2.replace(/\s+\S+\s*$/, "")); // drop the last value
  await rejectsWith(readUciHar(root, 128), `${file}:2:`, "expected 128 numbers", "found 127");
});

Deno.test("UCI HAR: windows of another length are rejected with the expected count", async () => {
  const root = await writeUciFixture(await tempDir(), 64);
  await rejectsWith(readUciHar(root, 128), "total_acc_x_train.txt:1:", "expected 128", "found 64");
});

Deno.test("UCI HAR: a non-number names file, line and value", async () => {
  const root = await writeUciFixture(await tempDir());
  const file = inertial(root, "test", "z");
  const row = (await Deno.readTextFile(file)).split("\n")[2].trim().split(/\s+/);
  row[4] = "abc";
  await editLine(file, 3, row.join(" "));
  await rejectsWith(readUciHar(root, 128), `${file}:3:`, "value 5", '"abc"', "expected a number");
});

Deno.test("UCI HAR: an activity id out of range names file and line", async () => {
  const root = await writeUciFixture(await tempDir());
  const file = join(root, "train", "y_train.txt");
  await editLine(file, 4, "7");
  await rejectsWith(readUciHar(root, 128), `${file}:4:`, "from 1 to 6", '"7"');
  await editLine(file, 4, "2.5");
  await rejectsWith(readUciHar(root, 128), `${file}:4:`, "expected an integer");
});

Deno.test("UCI HAR: mismatched row counts name both files", async () => {
  const root = await writeUciFixture(await tempDir());
  const subjects = join(root, "train", "subject_train.txt");
  await editLine(subjects, 1, null);
  await rejectsWith(readUciHar(root, 128), subjects, "has 7 rows", "y_train.txt has 8");
  const root2 = await writeUciFixture(await tempDir());
  const zFile = inertial(root2, "test", "z");
  await editLine(zFile, 5, null);
  await rejectsWith(readUciHar(root2, 128), zFile, "has 4 rows", "has 5");
});

Deno.test("UCI HAR: malformed activity_labels.txt names its line", () => {
  assert.throws(
    () => parseActivityLabels("1 WALKING\n3 SITTING\n", "labels.txt"),
    (e: unknown) => e instanceof AdaspringError && e.message.includes("labels.txt:2:"),
  );
  assert.deepEqual(parseActivityLabels("1 A\r\n2 B\r\n", "l.txt"), ["A", "B"]);
});

Deno.test("UCI HAR: a blank line inside a signal file is an error, the final newline is not", () => {
  assert.equal(parseSignalRows("1 2\n3 4\n", 2, "s.txt").length, 4);
  assert.throws(
    () => parseSignalRows("1 2\n\n3 4\n", 2, "s.txt"),
    (e: unknown) => e instanceof AdaspringError && e.message.includes("s.txt:2:"),
  );
});

Deno.test("UCI HAR: a sample rate other than 50 Hz is refused for the real data", async () => {
  const root = await writeUciFixture(await tempDir());
  const spec = harOptionsSchema.parse({ source: "har", path: root, sampleRate: 100 });
  await rejectsWith(loadHar(spec, ctx(".")), "50 Hz", "sampleRate");
});
