import assert from "node:assert/strict";
import { AdaspringError } from "../../lib/errors.ts";
import { parseConfig } from "../../lib/config/source.ts";
import { platformSchema } from "../../lib/config/platform.ts";
import { contextSchema } from "../../lib/config/context.ts";

const fig = (v: number) => `{ value: ${v}, source: "vendor datasheet" }`;
const platform = (overheadMs: string) =>
  [
    "name: pi4",
    "latency: modeled",
    "cpu:",
    "  model: Cortex-A72",
    `  cores: ${fig(4)}`,
    `  clockGhz: ${fig(1.5)}`,
    `  simdWidthBits: ${fig(128)}`,
    "throughputGflops:",
    `  conv: ${fig(10)}`,
    `  depthwise: ${fig(2)}`,
    `  pointwise: ${fig(8)}`,
    `  gemm: ${fig(9)}`,
    `  elementwise: ${fig(1)}`,
    `memoryBandwidthGBs: ${fig(4)}`,
    `overheadMs: ${overheadMs}`,
    "power:",
    `  idleWatts: ${fig(2.7)}`,
    `  activeWatts: ${fig(6.4)}`,
    "",
  ].join("\n");

async function message(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AdaspringError);
    return err.message;
  }
  throw new Error("expected an error");
}

Deno.test("a complete platform file validates", async () => {
  const { config } = await parseConfig("pi4.yaml", platform(fig(0.2)), platformSchema);
  assert.equal(config.latency, "modeled");
});

Deno.test("a negative platform figure is rejected at its line", async () => {
  const msg = await message(
    parseConfig("pi4.yaml", platform(`{ value: -1, source: "x y z" }`), platformSchema),
  );
  assert.match(msg, /pi4\.yaml:15:22 overheadMs\.value: expected a number >= 0/);
});

Deno.test("a platform figure without a source is rejected", async () => {
  const msg = await message(parseConfig("pi4.yaml", platform("{ value: 1 }"), platformSchema));
  assert.match(
    msg,
    /pi4\.yaml:15:\d+ overheadMs\.source: required field is missing \(expected a source \(datasheet/,
  );
});

Deno.test("a missing platform figure is rejected", async () => {
  const text = platform(fig(0.2)).replace(/^memoryBandwidthGBs.*\n/m, "");
  const msg = await message(parseConfig("pi4.yaml", text, platformSchema));
  assert.match(msg, /memoryBandwidthGBs/);
});

Deno.test("a context needs exactly one of snapshot or trace, and increasing times", async () => {
  const state = "batteryPct: 50, freeStorageMb: 100, cpuShare: 0.2, latencyMs: 30";
  const ok = await parseConfig("c.yaml", `name: c\nsnapshot: { ${state} }\n`, contextSchema);
  assert.equal(ok.config.snapshot?.minAccuracy, 0);
  assert.match(await message(parseConfig("c.yaml", "name: c\n", contextSchema)), /exactly one/);
  const trace = `name: c\ntrace:\n  - { t: 5, ${state} }\n  - { t: 2, ${state} }\n`;
  assert.match(
    await message(parseConfig("c.yaml", trace, contextSchema)),
    /c\.yaml:4:\d+ trace\[1\]\.t: expected times to increase/,
  );
  const bad =
    `name: c\nsnapshot: { batteryPct: 120, freeStorageMb: 1, cpuShare: 0, latencyMs: 1 }\n`;
  assert.match(await message(parseConfig("c.yaml", bad, contextSchema)), /batteryPct: expected a/);
});
