import assert from "node:assert/strict";
import { loadPlatformConfig, OP_KINDS, peakGflops } from "../../lib/config/platform.ts";

const NAMES = ["host", "pi4", "jetson-nano", "pixel4"];

Deno.test("every shipped platform file validates and sources every figure", async () => {
  for (const name of NAMES) {
    const { config } = await loadPlatformConfig(name);
    const figures: { value: number; source: string }[] = [];
    const walk = (x: unknown) => {
      if (typeof x !== "object" || x === null) return;
      if ("value" in x && "source" in x) figures.push(x as { value: number; source: string });
      else Object.values(x).forEach(walk);
    };
    walk(config);
    assert.ok(figures.length >= 5, name);
    for (const f of figures) assert.ok(f.source.length > 10, `${name}: ${f.source}`);
  }
});

Deno.test("modeled throughputs are peak x the efficiency their sources state", async () => {
  const stated: Record<string, number> = {
    conv: 0.3,
    depthwise: 0.1,
    pointwise: 0.3,
    gemm: 0.1,
    elementwise: 0.05,
  };
  for (const name of ["pi4", "jetson-nano", "pixel4"]) {
    const { config } = await loadPlatformConfig(name);
    assert.equal(config.latency, "modeled");
    if (config.latency !== "modeled") continue;
    const peak = peakGflops(config.cpu);
    assert.ok(peak !== null);
    for (const k of OP_KINDS) {
      const t = config.throughputGflops[k];
      assert.ok(Math.abs(t.value / (peak * stated[k]) - 1) < 0.01, `${name} ${k}: ${t.value}`);
      assert.match(t.source, new RegExp(`efficiency ${stated[k].toFixed(2)}`));
    }
  }
});

Deno.test("peak of the Pi 4: 4 cores x 1.5 GHz x 4 lanes x 2 (FMA) x 1 per cycle", async () => {
  const { config } = await loadPlatformConfig("pi4");
  assert.ok(config.latency === "modeled");
  assert.equal(peakGflops(config.cpu), 48);
});
