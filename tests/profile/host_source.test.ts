import assert from "node:assert/strict";
import { loadTaskConfig } from "../../lib/config/task.ts";
import {
  createHostSource,
  extractPart,
  overheadTwin,
  partOfNode,
  unitGraphSource,
} from "../../lib/profile/host_source.ts";
import { blockVariants } from "../../lib/profile/space_eval.ts";
import { measureUnit, type TimingUnit } from "../../lib/profile/timing.ts";
import { materialize } from "../../lib/supernet/materialize.ts";
import {
  createSearchSpace,
  largestConfig,
  parseConfigId,
  smallestConfig,
} from "../../lib/supernet/mod.ts";
import { createWeightStore } from "../../lib/supernet/weights.ts";

const space = createSearchSpace((await loadTaskConfig("mnist")).config);
const store = createWeightStore(space, { inputChannels: 1, numClasses: 10 }, 0);
const inputShape = [1, 28, 28];

Deno.test("partOfNode maps node names to stem, blocks and head", () => {
  assert.equal(partOfNode("stem.w.dq"), "stem");
  assert.equal(partOfNode("b3.expandk.relu"), "b3");
  assert.equal(partOfNode("b12"), "b12");
  assert.equal(partOfNode("gap"), "head");
  assert.equal(partOfNode("logits"), "head");
});

function checkParts(m: ReturnType<typeof materialize>) {
  const parts = ["stem", ...space.blocks.map((_, i) => `b${i}`), "head"];
  let nodes = 0;
  for (const part of parts) {
    const sub = extractPart(m.model, part).graph;
    nodes += sub.nodes.length;
    assert.equal(sub.inputs.length, 1);
    assert.ok(sub.outputs.length >= 1);
    assert.ok(sub.nodes.every((n) => partOfNode(n.name) === part));
    // Every initializer a node reads travels with the part (int8: q, scale, zero).
    const inits = new Set(sub.initializers.map((t) => t.name));
    const produced = new Set(sub.nodes.flatMap((n) => n.outputs));
    for (const n of sub.nodes) {
      for (const x of n.inputs) {
        assert.ok(x === "" || inits.has(x) || produced.has(x) || x === sub.inputs[0].name, x);
      }
    }
  }
  assert.equal(nodes, m.model.graph.nodes.length, "the parts partition the graph");
}

Deno.test("extractPart cuts each part with one input and the activation shapes it has there", () => {
  const m = materialize(store, space, { ...largestConfig(space), int8: true }, { inputShape });
  checkParts(m);
  // Fire blocks interleave their expands with several nodes, all of which stay in the block.
  const fire = parseConfigId(space, "b0:fire-w.5|b1:fire|b2:fire-w1|b3:dw|b4:fire-w.25|q8");
  checkParts(materialize(store, space, fire, { inputShape }));
  const b0 = extractPart(m.model, "b0").graph;
  assert.deepEqual(b0.inputs[0].shape, ["N", 16, 28, 28]);
  const head = extractPart(m.model, "head").graph;
  assert.deepEqual(head.outputs.map((o) => o.name), ["logits"]);
});

Deno.test("unitGraphSource picks a configuration that runs the unit", () => {
  const v = blockVariants(space).find((x) => x.block === 2 && x.cin === 24)!;
  const { config, part } = unitGraphSource(space, { kind: "block", variant: v });
  assert.equal(part, "b2");
  assert.equal(config.choices[2], v.choice);
  assert.equal(unitGraphSource(space, { kind: "head", features: 32, int8: false }).part, "head");
  assert.throws(() => unitGraphSource(space, { kind: "head", features: 7, int8: false }));
});

Deno.test("the host source times stem, block, head and whole-network units in ORT-web", async () => {
  let prepared = 0;
  const source = createHostSource({ store, space, inputShape, onPrepare: () => prepared++ });
  const v = blockVariants(space).find((x) => x.block === 1 && x.int8)!;
  const units: TimingUnit[] = [
    { kind: "stem", int8: false },
    { kind: "block", variant: v },
    { kind: "head", features: 128, int8: true },
    { kind: "network", config: smallestConfig(space) },
  ];
  for (const unit of units) {
    const s = await measureUnit(source, unit, { warmup: 1, repeats: 6, trim: 0.2 });
    assert.equal(s.count, 4, `${unit.kind}: 6 runs, 1 trimmed at each end`);
    // Part units are timed net of their overhead twin and clamped at 0 (measureUnit), so a
    // tiny head can measure 0 on a loaded machine; a whole network always takes time.
    const positive = unit.kind === "network" ? s.mean > 0 : s.mean >= 0;
    assert.ok(Number.isFinite(s.mean) && positive, `${unit.kind} mean ${s.mean}`);
    assert.ok(Number.isFinite(s.var) && s.var >= 0);
  }
  assert.equal(prepared, units.length);
});

Deno.test("overhead twins keep the unit's inputs and outputs and run in ORT-web", async () => {
  const m = materialize(store, space, { ...largestConfig(space), int8: true }, { inputShape });
  const part = extractPart(m.model, "b1");
  const twin = overheadTwin(part).graph;
  assert.deepEqual(twin.inputs, part.graph.inputs);
  assert.deepEqual(twin.outputs, part.graph.outputs);
  assert.ok(twin.nodes.every((n) => n.opType === "Identity"));
  const source = createHostSource({ store, space, inputShape });
  const v = blockVariants(space).find((x) => x.block === 1 && x.cin === 32 && !x.int8)!;
  const block = await source.prepare({ kind: "block", variant: v });
  const net = await source.prepare({ kind: "network", config: smallestConfig(space) });
  try {
    assert.equal(typeof block.overhead, "function", "part units have a twin");
    assert.equal(net.overhead, undefined, "whole networks are timed as they are");
    const ovh = await block.overhead!();
    assert.ok(Number.isFinite(ovh) && ovh > 0, `twin call ${ovh} ms`);
  } finally {
    await block.dispose?.();
    await net.dispose?.();
  }
});
