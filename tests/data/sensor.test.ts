import assert from "node:assert/strict";
import { AdaspringError } from "../../lib/errors.ts";
import { parseSensorCsv } from "../../lib/data/sensor/csv.ts";
import { loadSensor, MULTI_HOP_CSV, SENSOR_CLASSES } from "../../lib/data/sensor/mod.ts";
import { sensorOptionsSchema } from "../../lib/data/sensor/schema.ts";
import { windowLabel, windowSeries } from "../../lib/data/sensor/window.ts";
import { createRng } from "../../lib/util/rng.ts";
import { sensorCsv } from "./fixtures.ts";

const ctx = (baseDir = ".") => ({ rng: createRng(0), baseDir });

function throwsWith(fn: () => unknown, ...parts: string[]) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof AdaspringError, `expected AdaspringError, got ${err}`);
    for (const p of parts) assert.ok(err.message.includes(p), `"${p}" not in: ${err.message}`);
    return true;
  });
}

Deno.test("parseSensorCsv groups readings by mote, in time order, columns by name", () => {
  const text =
    "label,temperature,humidity,mote_id,reading\n0,20,40,2,2\n1,21,41,1,1\n0,22,42,2,1\n";
  const series = parseSensorCsv(text, "x.csv");
  assert.deepEqual(series.map((s) => s.mote), [1, 2]);
  assert.deepEqual(Array.from(series[1].reading), [1, 2]);
  assert.deepEqual(Array.from(series[1].humidity), [42, 40]);
  assert.equal(series[0].label[0], 1);
});

Deno.test("malformed CSV rows are reported with file and line", () => {
  const head = "reading,mote_id,indoor,humidity,temperature,label\n";
  throwsWith(
    () => parseSensorCsv(head + "1,1,1,40,20,0\n2,1,1,abc,20,0\n", "d.csv"),
    "d.csv:3",
    "humidity",
    "abc",
  );
  throwsWith(() => parseSensorCsv(head + "1,1,1,40,20\n", "d.csv"), "d.csv:2", "5 fields", "6");
  throwsWith(() => parseSensorCsv(head + "1,1,1,40,20,2\n", "d.csv"), "d.csv:2", "label is 2");
  throwsWith(() => parseSensorCsv(head + "1.5,1,1,40,20,0\n", "d.csv"), "d.csv:2", "integers");
  throwsWith(() => parseSensorCsv("reading,mote,humidity\n", "d.csv"), "d.csv:1", "mote_id");
  throwsWith(() => parseSensorCsv(head, "d.csv"), "d.csv", "no readings");
  throwsWith(
    () => parseSensorCsv(head + "1,1,1,40,20,0\n2,1,1,40,20,0\n1,1,1,40,20,0\n", "d.csv"),
    "d.csv:4",
    "twice",
    "line 2",
  );
});

Deno.test("window labels follow the rule", () => {
  const labels = Uint8Array.from([0, 1, 1, 0]);
  assert.equal(windowLabel(labels, 0, 2, "any"), 1);
  assert.equal(windowLabel(labels, 0, 2, "majority"), 0);
  assert.equal(windowLabel(labels, 0, 3, "majority"), 1);
  assert.equal(windowLabel(labels, 0, 4, "last"), 0);
  assert.equal(windowLabel(labels, 0, 3, "last"), 1);
});

Deno.test("windowSeries keeps windows inside blocks, channels first, one group per block", () => {
  const [s] = parseSensorCsv(sensorCsv(1, 20, { 1: [9, 11] }), "f.csv");
  const w = windowSeries([s], {
    window: 4,
    stride: 2,
    block: 8,
    features: ["humidity", "temperature"],
    label: "any",
  });
  // blocks [0,8) [8,16) [16,20): starts 0,2,4 | 8,10,12 | 16 -> 7 windows, 3 groups
  assert.equal(w.samples.y.length, 7);
  assert.deepEqual(Array.from(w.samples.groups), [0, 0, 0, 1, 1, 1, 2]);
  // event readings 9 and 10 (0-based): windows starting 8 and 10 contain them
  assert.deepEqual(Array.from(w.samples.y), [0, 0, 0, 1, 1, 0, 0]);
  // sample 3 starts at reading index 8: humidity 40 + (8 % 5) * 0.1 = 40.3, then 90
  const x = w.samples.x.subarray(3 * 8, 4 * 8);
  assert.deepEqual(Array.from(x.subarray(0, 4)), [40.3, 90, 90, 40.1].map(Math.fround));
  assert.deepEqual(Array.from(x.subarray(4, 8)), [20, 20, 20, 20]);
  assert.equal(w.groupCount, 3);
});

Deno.test("windowSeries does not window across a gap in reading numbers", () => {
  const text = "reading,mote_id,humidity,temperature,label\n" +
    [1, 2, 3, 5, 6, 7].map((r) => `${r},1,40,20,0`).join("\n");
  const w = windowSeries(parseSensorCsv(text, "g.csv"), {
    window: 3,
    stride: 1,
    block: 100,
    features: ["humidity"],
    label: "any",
  });
  assert.equal(w.samples.y.length, 2); // [1,2,3] and [5,6,7]
});

Deno.test("loadSensor on a small CSV fixture: shape, labels, groups, options", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/s.csv`, sensorCsv(2, 64, { 2: [30, 34] }));
  const spec = sensorOptionsSchema.parse({
    source: "sensor",
    path: "s.csv",
    window: 8,
    stride: 4,
    block: 32,
    features: ["temperature"],
    label: "majority",
  });
  const raw = await loadSensor(spec, ctx(dir));
  assert.equal(raw.provenance, "real");
  assert.deepEqual(raw.inputShape, [1, 8]);
  assert.deepEqual(raw.classes, SENSOR_CLASSES);
  assert.deepEqual(raw.channelNames, ["temperature (°C)"]);
  // per mote: 2 blocks x 7 windows
  assert.equal(raw.samples.y.length, 28);
  assert.equal(new Set(raw.samples.groups).size, 4);
  // event [30,34) in mote 2, majority of 8 needs >= 5 event readings: none qualifies
  assert.equal(raw.samples.y.reduce((a, b) => a + b, 0), 0);
  const any = await loadSensor({ ...spec, label: "any" }, ctx(dir));
  // the event straddles the block boundary at 32: [24,32) holds 30,31 and [32,40) holds 32,33
  assert.equal(any.samples.y.reduce((a, b) => a + b, 0), 2);
  await assert.rejects(
    () => loadSensor({ ...spec, motes: [3] }, ctx(dir)),
    /mote 3 not in .*s\.csv/,
  );
  await assert.rejects(
    () => loadSensor({ ...spec, path: "missing.csv" }, ctx(dir)),
    /missing\.csv/,
  );
});

Deno.test("the sensor schema rejects a block shorter than the window and unknown keys", () => {
  assert.equal(
    sensorOptionsSchema.safeParse({ source: "sensor", window: 32, block: 16 }).success,
    false,
  );
  assert.equal(sensorOptionsSchema.safeParse({ source: "sensor", windw: 32 }).success, false);
  assert.equal(
    sensorOptionsSchema.safeParse({ source: "sensor", features: ["humidity", "humidity"] }).success,
    false,
  );
});

Deno.test("real data: the Suthaharan single-hop readings load as documented", async () => {
  const spec = sensorOptionsSchema.parse({ source: "sensor" });
  const raw = await loadSensor(spec, ctx());
  assert.match(raw.source, /18914 readings \(149 anomalous\) of motes 1, 2, 3, 4/);
  assert.deepEqual(raw.inputShape, [2, 16]);
  const n = raw.samples.y.length;
  const anomalous = raw.samples.y.reduce((a, b) => a + b, 0);
  // window 16 stride 4 inside blocks of 64: 13 windows per full block
  assert.ok(n > 3500 && n < 4000, `windows: ${n}`);
  assert.ok(anomalous > 20 && anomalous < 60, `anomalous windows: ${anomalous}`);
  // every anomalous window's block is one of the few blocks with an event
  const groups = new Set(raw.samples.groups!.filter((_, i) => raw.samples.y[i] === 1));
  assert.ok(groups.size >= 3, `anomalous blocks: ${groups.size}`);
});

Deno.test("network both: single- and multi-hop readings, multi-hop motes numbered 100 + id", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/single.csv`, sensorCsv(2, 64, { 2: [30, 34] }));
  await Deno.writeTextFile(`${dir}/multi.csv`, sensorCsv(1, 64, { 1: [10, 20] }));
  const spec = sensorOptionsSchema.parse({
    source: "sensor",
    path: "single.csv",
    multiHopPath: "multi.csv",
    window: 8,
    stride: 4,
    block: 32,
  });
  assert.equal(spec.network, "single-hop");
  const single = await loadSensor(spec, ctx(dir));
  const both = await loadSensor({ ...spec, network: "both" }, ctx(dir));
  const multi = await loadSensor({ ...spec, network: "multi-hop" }, ctx(dir));
  // 7 windows per block of 32, 2 blocks per mote of 64 readings
  assert.equal(single.samples.y.length, 28);
  assert.equal(multi.samples.y.length, 14);
  assert.equal(both.samples.y.length, 42);
  assert.match(both.source, /motes 1, 2, 101/);
  assert.match(multi.source, /multi-hop .*motes 1;/);
  assert.equal(new Set(both.samples.groups).size, 6);
  const onlyMulti = await loadSensor({ ...spec, network: "both", motes: [101] }, ctx(dir));
  assert.equal(onlyMulti.samples.y.length, 14);
  await assert.rejects(
    () => loadSensor({ ...spec, network: "both", multiHopPath: "nope.csv" }, ctx(dir)),
    /nope\.csv: cannot read the sensor readings CSV .*dataset\.multiHopPath/,
  );
});

Deno.test("network multi-hop without the fetched CSV says how to fetch it", async () => {
  const spec = sensorOptionsSchema.parse({ source: "sensor", network: "multi-hop" });
  try {
    await Deno.stat(MULTI_HOP_CSV);
    const raw = await loadSensor(spec, ctx());
    // the fetched file is the published set: 4 motes x 4690 readings, 158 anomalous
    assert.match(raw.source, /18760 readings \(158 anomalous\) of motes 1, 2, 3, 4/);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    await assert.rejects(() => loadSensor(spec, ctx()), /scripts\/fetch-sensor-multihop\.sh/);
  }
});
