/**
 * The training artifacts as files: `training_model.onnx` (loss + gradients), `eval_model.onnx`
 * (loss, correct count, logits), `artifacts.json` (which input and output is which), and the
 * trained inference model `model.onnx` (weights as initializers, as ORT's fast paths want).
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../onnx/graph.ts";
 * import { tensor } from "../onnx/dtype.ts";
 * import { gemm } from "../onnx/ops/nn.ts";
 * import { buildArtifacts } from "./artifacts.ts";
 * const g = new GraphBuilder("lin");
 * const x = g.input("x", "float32", ["N", 3]);
 * g.output(gemm(x, g.param("w", tensor("float32", [2, 3], [1, 2, 3, 4, 5, 6])), undefined, { transB: true }), "logits");
 * const a = buildArtifacts(g.toGraph(), { loss: { kind: "cross-entropy" }, batchSize: 8 });
 * console.assert(a.trainingBytes.length > 0 && a.eval.logits === "logits");
 * ```
 *
 * @module
 */
import { GraphBuilder } from "../onnx/graph.ts";
import { encodeModel } from "../onnx/proto/encode.ts";
import type { GraphData, ModelData } from "../onnx/types.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import type { Param } from "./optimizer.ts";
import {
  buildEvalGraph,
  buildTrainingGraph,
  type TrainingGraph,
  type TrainingGraphOptions,
} from "./training_graph.ts";

/** Both graphs and their encoded bytes. */
export interface Artifacts {
  readonly training: TrainingGraph;
  readonly eval: TrainingGraph;
  readonly trainingBytes: Uint8Array;
  readonly evalBytes: Uint8Array;
}

function toModel(graph: GraphData, doc: string): ModelData {
  return { ...new GraphBuilder().toModel({ docString: doc }), graph };
}

/** Builds and encodes the training graph (static `batchSize`) and the eval graph (free batch). */
export function buildArtifacts(forward: GraphData, o: TrainingGraphOptions): Artifacts {
  const training = buildTrainingGraph(forward, o);
  const evalGraph = buildEvalGraph(forward, { ...o, batchSize: undefined });
  return {
    training,
    eval: evalGraph,
    trainingBytes: encodeModel(
      toModel(training.graph, "adaspring training artifact: loss and gradients"),
    ),
    evalBytes: encodeModel(
      toModel(evalGraph.graph, "adaspring eval artifact: loss, correct count, logits"),
    ),
  };
}

function describe(t: TrainingGraph) {
  const { graph: _graph, ...io } = t;
  return io;
}

/** Writes `training_model.onnx`, `eval_model.onnx` and `artifacts.json` into `dir`. */
export async function writeArtifacts(dir: string, a: Artifacts): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const paths = [`${dir}/training_model.onnx`, `${dir}/eval_model.onnx`, `${dir}/artifacts.json`];
  await writeFileAtomic(paths[0], a.trainingBytes);
  await writeFileAtomic(paths[1], a.evalBytes);
  const json = { version: 1, training: describe(a.training), eval: describe(a.eval) };
  await writeFileAtomic(paths[2], JSON.stringify(json, null, 2) + "\n");
  return paths;
}

/** The forward graph with `values` (trained weights and BN statistics) as its initializers. */
export function inferenceModel(
  forward: GraphData,
  values: Readonly<Record<string, Param>>,
): ModelData {
  const initializers = forward.initializers.map((t) =>
    values[t.name] ? { ...t, data: new Float32Array(values[t.name].data) } : t
  );
  return toModel({ ...forward, initializers }, "adaspring trained model");
}
