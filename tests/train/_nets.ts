// Small forward graphs for trainer tests.
import { GraphBuilder } from "../../lib/onnx/graph.ts";
import * as op from "../../lib/onnx/mod.ts";
import type { GraphData } from "../../lib/onnx/types.ts";
import { randomTensor } from "../../lib/train/gradcheck.ts";
import { createRng } from "../../lib/util/rng.ts";

/** flatten -> Gemm(16) -> ReLU -> Gemm(4): no BN, so data-parallel steps are exact. */
export function linearNet(): GraphData {
  const rng = createRng(5);
  const g = new GraphBuilder("mlp");
  const x = op.flatten(g.input("input", "float32", ["N", 1, 8, 8]));
  const h = op.relu(
    op.gemm(
      x,
      g.param("w1", randomTensor(rng, [16, 64], -0.2, 0.2)),
      g.param("b1", randomTensor(rng, [16], 0, 0.01)),
      { transB: true },
    ),
  );
  g.output(
    op.gemm(
      h,
      g.param("w2", randomTensor(rng, [4, 16], -0.3, 0.3)),
      g.param("b2", randomTensor(rng, [4], 0, 0.01)),
      { transB: true },
    ),
    "logits",
  );
  return g.toGraph();
}
