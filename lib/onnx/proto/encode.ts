/**
 * Encodes a {@link ModelData} as an ONNX `ModelProto` (field numbers from onnx.proto).
 * Tensors are written as `raw_data` (little-endian), as ONNX Runtime prefers.
 *
 * @example
 * ```ts
 * import { encodeModel } from "./encode.ts";
 * import { GraphBuilder } from "../graph.ts";
 * const g = new GraphBuilder("g");
 * g.output(g.add1("Relu", [g.input("x", "float32", [2])]));
 * const bytes = encodeModel(g.toModel());
 * console.assert(bytes.length > 20);
 * ```
 *
 * @module
 */
import { onnxTypeCode, toBytes } from "../dtype.ts";
import type { Attribute, GraphData, ModelData, NodeData, TensorData, ValueInfo } from "../types.ts";
import { ProtoWriter } from "./wire.ts";

/** How a decoded dimension with neither `dim_value` nor `dim_param` is represented. */
export const UNKNOWN_DIM = "?";

/** ONNX `AttributeProto.AttributeType` codes. */
export const AttributeType = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  graph: 5,
  floats: 6,
  ints: 7,
  strings: 8,
} as const;

/** Encodes a model to ONNX protobuf bytes. */
export function encodeModel(model: ModelData): Uint8Array {
  const w = new ProtoWriter();
  w.int64(1, model.irVersion);
  w.string(2, model.producerName);
  w.string(3, model.producerVersion);
  if (model.docString) w.string(6, model.docString);
  w.message(7, (g) => writeGraph(g, model.graph));
  for (const op of model.opsetImports) {
    w.message(8, (o) => {
      if (op.domain) o.string(1, op.domain);
      o.int64(2, op.version);
    });
  }
  for (const [key, value] of Object.entries(model.metadata ?? {})) {
    w.message(14, (e) => {
      e.string(1, key);
      e.string(2, value);
    });
  }
  return w.finish();
}

/** Encodes a graph as a `GraphProto` (for subgraph attributes and tests). */
export function encodeGraph(graph: GraphData): Uint8Array {
  const w = new ProtoWriter();
  writeGraph(w, graph);
  return w.finish();
}

/** Encodes a tensor as a `TensorProto` with `raw_data`. */
export function encodeTensor(t: TensorData, name?: string): Uint8Array {
  const w = new ProtoWriter();
  writeTensor(w, t, name);
  return w.finish();
}

function writeGraph(w: ProtoWriter, g: GraphData): void {
  for (const n of g.nodes) w.message(1, (m) => writeNode(m, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (m) => writeTensor(m, t, t.name));
  for (const v of g.inputs) w.message(11, (m) => writeValueInfo(m, v));
  for (const v of g.outputs) w.message(12, (m) => writeValueInfo(m, v));
  for (const v of g.valueInfo) w.message(13, (m) => writeValueInfo(m, v));
}

function writeNode(w: ProtoWriter, n: NodeData): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const [name, a] of Object.entries(n.attributes)) {
    w.message(5, (m) => writeAttribute(m, name, a));
  }
  if (n.domain) w.string(7, n.domain);
}

function writeAttribute(w: ProtoWriter, name: string, a: Attribute): void {
  w.string(1, name);
  switch (a.kind) {
    case "float":
      w.float(2, a.value);
      break;
    case "int":
      w.int64(3, a.value);
      break;
    case "string":
      w.string(4, a.value);
      break;
    case "tensor":
      w.message(5, (m) => writeTensor(m, a.value));
      break;
    case "graph":
      w.message(6, (m) => writeGraph(m, a.value));
      break;
    case "floats":
      for (const v of a.value) w.float(7, v);
      break;
    case "ints":
      for (const v of a.value) w.int64(8, v);
      break;
    case "strings":
      for (const v of a.value) w.string(9, v);
      break;
  }
  w.int64(20, AttributeType[a.kind]);
}

function writeTensor(w: ProtoWriter, t: TensorData, name?: string): void {
  for (const d of t.shape) w.int64(1, d);
  w.int64(2, onnxTypeCode(t.dtype));
  if (name !== undefined) w.string(8, name);
  w.bytes(9, toBytes(t.data));
}

function writeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tt) => {
      tt.int64(1, onnxTypeCode(v.dtype));
      if (v.shape === undefined) return;
      const shape = v.shape;
      tt.message(2, (s) => {
        for (const d of shape) {
          // A dimension that is neither a size nor a name ("?") is written empty: unknown.
          s.message(1, (dim) => {
            if (typeof d === "number") dim.int64(1, d);
            else if (d !== UNKNOWN_DIM) dim.string(2, d);
          });
        }
      });
    }));
}
