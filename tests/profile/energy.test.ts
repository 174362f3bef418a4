import assert from "node:assert/strict";
import {
  detectRapl,
  energyFromPowerLog,
  integrateEnergy,
  measureRaplEnergy,
  memoryFigures,
  modeledEnergy,
  parsePowerLog,
} from "../../lib/profile/energy.ts";
import { loadPlatformConfig } from "../../lib/config/platform.ts";
import { largestConfig, subnetCost } from "../../lib/supernet/mod.ts";
import { AdaspringError } from "../../lib/errors.ts";
import { MNIST_INPUT, mnistSpace } from "./fixtures.ts";

Deno.test("power-meter logs: header, comments, and file:line errors", () => {
  const s = parsePowerLog("# meter\ntimestamp,watts\n0.0,2\n\n0.5, 3\n1.0,4\n", "m.csv");
  assert.deepEqual(s.map((x) => x.watts), [2, 3, 4]);
  const bad = (text: string, re: RegExp) => {
    assert.throws(
      () => parsePowerLog(text, "m.csv"),
      (e) => e instanceof AdaspringError && re.test(e.message),
    );
  };
  bad("0,1\n1,abc\n", /^m\.csv:2: expected a timestamp/);
  bad("0,1\n1,2,3\n", /^m\.csv:2: expected 2 comma-separated/);
  bad("0,1\n0,2\n", /^m\.csv:2: timestamp 0 is not after/);
  bad("t,w\n0,1\n", /at least 2 readings/);
});

Deno.test("energy integrates the log over the window (trapezoid, interpolated ends)", () => {
  const ramp = parsePowerLog("0,0\n1,2\n2,2\n", "r.csv");
  // 0..1 s ramp 0->2 W (1 J), 1..2 s at 2 W (2 J).
  assert.ok(Math.abs(integrateEnergy(ramp, 0, 2) - 3) < 1e-12);
  assert.ok(Math.abs(integrateEnergy(ramp, 0.5, 1.5) - (0.75 + 1)) < 1e-12);
  const e = energyFromPowerLog(ramp, { start: 1, end: 2 }, 100, "r.csv");
  assert.equal(e.provenance, "measured-on-device");
  assert.ok(Math.abs(e.value - 20) < 1e-9); // 2 J / 100 inferences = 20 mJ
  assert.throws(() => integrateEnergy(ramp, 1, 3), /not inside the power log/);
});

Deno.test("RAPL: absent here is detected and said; a readable counter is measured", async () => {
  const none = await detectRapl("/nonexistent/powercap");
  assert.equal(none.available, false);
  assert.match(none.reason, /energy is modeled/);
  const root = await Deno.makeTempDir();
  const zone = `${root}/intel-rapl:0`;
  await Deno.mkdir(zone);
  await Deno.mkdir(`${root}/intel-rapl:0:0`);
  await Deno.writeTextFile(`${zone}/energy_uj`, "999000\n");
  await Deno.writeTextFile(`${zone}/max_energy_range_uj`, "1000000\n");
  const found = await detectRapl(root);
  assert.deepEqual(found.zones, [zone]);
  let uj = 999000;
  const run = async () => {
    uj = (uj + 500) % 1000000; // wraps around after two runs
    await Deno.writeTextFile(`${zone}/energy_uj`, `${uj}\n`);
  };
  const e = await measureRaplEnergy(found.zones, run, 4);
  assert.equal(e.provenance, "measured-here");
  assert.ok(Math.abs(e.value - 0.5) < 1e-12); // 500 uJ per inference
});

Deno.test("modeled energy and memory figures are labelled", async () => {
  const { config, path } = await loadPlatformConfig("pi4");
  const e = modeledEnergy(10, config.power, path, 100);
  assert.equal(e.provenance, "modeled");
  assert.ok(Math.abs(e.value - (5.25 * 10 + 2.25 * 90)) < 1e-9);
  const space = await mnistSpace();
  const cost = subnetCost(space, { ...largestConfig(space), int8: true }, MNIST_INPUT);
  const m = memoryFigures(cost);
  assert.equal(m.weightBytes.value, cost.weightBytesInt8);
  assert.ok(m.weightBytesInt8.value < m.weightBytesFloat32.value);
  assert.equal(m.totalBytes.value, cost.weightBytesInt8 + cost.peakActivationBytes);
});
