// Every backward rule against float64 central finite differences (reference interpreter),
// and the emitted gradient graph run through ONNX Runtime against the float64 values.
import assert from "node:assert/strict";
import { GraphBuilder } from "../../lib/onnx/graph.ts";
import { encodeModel } from "../../lib/onnx/proto/encode.ts";
import { evaluate } from "../../lib/onnx/reference/mod.ts";
import type { TensorData } from "../../lib/onnx/types.ts";
import { gradients, RULES } from "../../lib/train/autodiff/mod.ts";
import { checkGradients, randomTensor, scalarProbe } from "../../lib/train/gradcheck.ts";
import { openSession } from "../../lib/train/ort.ts";
import { createRng } from "../../lib/util/rng.ts";
import { OP_CASES, type OpCase } from "./_cases.ts";

function setup(c: OpCase, seed: number) {
  const rng = createRng(seed);
  const g = new GraphBuilder("case");
  g.output(scalarProbe(c.build(g), rng), "loss");
  const fixed = c.fixed ?? {};
  const feeds: Record<string, TensorData> = { ...fixed };
  const wrt: string[] = [];
  for (const v of g.inputs) {
    if (v.name in fixed) continue;
    const [lo, hi] = c.range ?? [-1, 1];
    feeds[v.name] = randomTensor(rng, v.shape as number[], lo, hi);
    wrt.push(v.name);
  }
  return { graph: g.toGraph(), feeds, wrt };
}

for (const c of OP_CASES) {
  Deno.test(`gradcheck: ${c.name}`, () => {
    const { graph, feeds, wrt } = setup(c, 7);
    const r = checkGradients(graph, "loss", wrt, feeds, c.check);
    assert.ok(r.ok, `${c.name}: ${JSON.stringify(r.failures)} (worst ratio ${r.worstRatio})`);
  });
}

Deno.test("ORT runs every backward graph and agrees with float64 (float32 tolerance)", async () => {
  for (const c of OP_CASES) {
    const { graph, feeds, wrt } = setup(c, 11);
    const g = GraphBuilder.from(graph);
    g.clearOutputs();
    const grads = gradients(g, g.tensor("loss"), wrt);
    const outs = wrt.map((w) => g.output(grads.get(w)!, `${w}__grad`).name);
    const ref = evaluate(g.toGraph(), feeds, { outputs: outs });
    const session = await openSession(encodeModel(g.toModel()));
    const got = await session.run(feeds, outs);
    await session.release();
    for (const o of outs) {
      const a = got[o].data as Float32Array;
      const b = ref[o].data;
      assert.deepEqual([...got[o].shape], [...ref[o].shape], `${c.name}: ${o} shape`);
      const scale = Math.max(1, ...Array.from(b, Math.abs));
      for (let i = 0; i < b.length; i++) {
        assert.ok(
          Math.abs(a[i] - b[i]) <= 1e-4 * scale,
          `${c.name}: ${o}[${i}] ORT ${a[i]} vs ${b[i]}`,
        );
      }
    }
  }
});

Deno.test("dropout (training mode, random mask): ORT's dx equals probe * mask / (1 - ratio)", async () => {
  // The mask is random, so finite differences cannot check it; the rule is checked against
  // the mask ORT drew in the same run instead.
  const g = new GraphBuilder("dropout");
  const x = g.input("x", "float32", [4, 8]);
  const ratio = g.scalar(0.25, "float32", "ratio");
  const on = g.constant({ dtype: "bool", shape: [], data: new Uint8Array([1]) }, "training");
  const [y, mask] = g.add("Dropout", [x, ratio, on], {}, { outputs: 2 });
  const r = g.constant(randomTensor(createRng(2), [4, 8]), "probe");
  g.output(
    g.add1("ReduceSum", [g.add1("Mul", [y, r])], { keepdims: { kind: "int", value: 0 } }),
    "loss",
  );
  const dx = gradients(g, g.tensor("loss"), ["x"]).get("x")!;
  g.output(dx, "dx");
  g.output(mask, "mask");
  const session = await openSession(encodeModel(g.toModel()));
  const out = await session.run({ x: randomTensor(createRng(3), [4, 8]) }, ["dx", "mask"]);
  await session.release();
  const probe = r.graph.constantValue(r.name)!.data as Float32Array;
  const m = out.mask.data as Uint8Array;
  assert.ok(m.some((v) => v === 0) && m.some((v) => v === 1), "mask drops some, keeps some");
  (out.dx.data as Float32Array).forEach((v, i) => {
    assert.ok(Math.abs(v - (m[i] ? probe[i] / 0.75 : 0)) < 1e-6, `dx[${i}]`);
  });
});

Deno.test("every rule in the table is exercised by a gradient-check case", () => {
  const seen = new Set(["Dropout"]); // checked against ORT's own mask above
  for (const c of OP_CASES) for (const n of setup(c, 1).graph.nodes) seen.add(n.opType);
  const missing = Object.keys(RULES).filter((op) => !seen.has(op));
  assert.deepEqual(missing, []);
});
