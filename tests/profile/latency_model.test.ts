import assert from "node:assert/strict";
import {
  loadPlatformConfig,
  type ModeledPlatformConfig,
  OP_KINDS,
  peakGflops,
} from "../../lib/config/platform.ts";
import {
  calibrate,
  modeledLatency,
  modeledLatencyObjective,
} from "../../lib/profile/latency_model.ts";
import { partOps } from "../../lib/profile/ops.ts";
import { evaluateSpace } from "../../lib/profile/space_eval.ts";
import { configAt, largestConfig, smallestConfig, subnetCost } from "../../lib/supernet/mod.ts";
import { createRng } from "../../lib/util/rng.ts";
import { MNIST_INPUT, mnistSpace } from "./fixtures.ts";

async function pi4(): Promise<{ config: ModeledPlatformConfig; path: string }> {
  const { config, path } = await loadPlatformConfig("pi4");
  if (config.latency !== "modeled") throw new Error("pi4 must be modeled");
  return { config, path };
}

Deno.test("modeled latency is monotone in FLOPs within every op kind", async () => {
  const { config, path } = await pi4();
  for (const kind of OP_KINDS) {
    let prev = -Infinity;
    for (const flops of [1e3, 1e5, 1e6, 3e6, 1e7, 1e8, 1e9]) {
      // Bytes grow with FLOPs as in real layers (more channels: more weights and activations).
      const parts = [{ name: "b0", ops: [{ kind, flops, bytes: flops / 50 }] }];
      const ms = modeledLatency(parts, config, path).total.value;
      assert.ok(ms >= prev, `${kind} at ${flops} FLOPs: ${ms} < ${prev}`);
      prev = ms;
    }
  }
});

Deno.test("modeled latency is a labelled roofline: max(compute, memory) + overhead", async () => {
  const { config, path } = await pi4();
  const compute = [{ name: "b0", ops: [{ kind: "conv" as const, flops: 14.4e6, bytes: 0 }] }];
  const lat = modeledLatency(compute, config, path);
  assert.equal(lat.total.provenance, "modeled");
  assert.match(lat.total.source ?? "", /pi4\.yaml.*uncalibrated/);
  assert.ok(Math.abs(lat.total.value - (1 + config.overheadMs.value)) < 1e-9);
  const memory = [{ name: "b0", ops: [{ kind: "conv" as const, flops: 1, bytes: 5.56e6 }] }];
  assert.ok(Math.abs(modeledLatency(memory, config, path).parts[0].ms - 1) < 1e-9);
});

Deno.test("calibrate recovers known per-kind efficiencies and overhead", () => {
  const peak = 40, eff = { conv: 0.4, depthwise: 0.05, pointwise: 0.25 };
  const rng = createRng(7);
  const samples = Array.from({ length: 60 }, () => {
    const ops = [
      { kind: "conv" as const, flops: rng.uniform(1e5, 5e7), bytes: 0 },
      { kind: "depthwise" as const, flops: rng.uniform(1e4, 1e6), bytes: 0 },
      { kind: "pointwise" as const, flops: rng.uniform(1e5, 1e7), bytes: 0 },
    ];
    const ms = ops.reduce(
      (a, o) => a + o.flops / (peak * eff[o.kind as keyof typeof eff] * 1e6),
      0,
    );
    return { ops, latencyMs: (ms + 0.03) * (1 + 0.01 * rng.normal()) };
  });
  const cal = calibrate(samples, { peakGflops: peak, clockGhz: 2.5 });
  for (const [k, e] of Object.entries(eff)) {
    const got = cal.efficiency[k as keyof typeof eff]!;
    assert.ok(Math.abs(got / e - 1) < 0.05, `${k}: ${got} vs ${e}`);
  }
  assert.ok(Math.abs(cal.overheadMs - 0.03) < 0.01, `overhead ${cal.overheadMs}`);
  assert.equal(cal.efficiency.gemm, undefined);
  assert.ok(cal.fitRmspe < 3);
});

Deno.test("a calibration replaces throughputs by efficiency x the target's peak", async () => {
  const { config, path } = await pi4();
  const cal = {
    efficiency: { conv: 0.5 },
    overheadMs: 0.1,
    hostPeakGflops: 41.5,
    hostClockGhz: 3,
    samples: 10,
    fitRmspe: 2,
  };
  const parts = [{ name: "b0", ops: [{ kind: "conv" as const, flops: 24e6, bytes: 0 }] }];
  const lat = modeledLatency(parts, config, path, cal);
  // 24 MFLOP at 0.5 x 48 GFLOP/s = 1 ms, overhead 0.1 ms x 3 GHz / 1.5 GHz = 0.2 ms.
  assert.ok(Math.abs(lat.total.value - 1.2) < 1e-9);
  assert.match(lat.total.source ?? "", /calibrated on 10 host measurements/);
  assert.equal(peakGflops(config.cpu), 48);
});

Deno.test("whole-space modeled latency equals the per-configuration model", async () => {
  const space = await mnistSpace();
  const { config, path } = await pi4();
  const [col] = evaluateSpace(space, [modeledLatencyObjective(space, MNIST_INPUT, config, path)]);
  const rng = createRng(11);
  for (let t = 0; t < 30; t++) {
    const i = rng.int(col.length);
    const direct = modeledLatency(partOps(space, configAt(space, i), MNIST_INPUT), config, path);
    assert.ok(Math.abs(col[i] - direct.total.value) < 1e-9 * direct.total.value, `config ${i}`);
  }
  const big = modeledLatency(partOps(space, largestConfig(space), MNIST_INPUT), config, path);
  const small = modeledLatency(partOps(space, smallestConfig(space), MNIST_INPUT), config, path);
  assert.ok(small.total.value < big.total.value);
});

Deno.test("the op breakdown's conv FLOPs match subnetCost's MACs", async () => {
  const space = await mnistSpace();
  const rng = createRng(5);
  for (let t = 0; t < 20; t++) {
    const config = configAt(space, rng.int(576000));
    const flops = partOps(space, config, MNIST_INPUT).flatMap((p) => p.ops)
      .filter((o) => o.kind !== "elementwise").reduce((a, o) => a + o.flops, 0);
    assert.equal(flops, subnetCost(space, config, MNIST_INPUT).flops);
  }
});
