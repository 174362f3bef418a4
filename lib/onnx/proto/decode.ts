/**
 * Decodes ONNX `ModelProto` bytes into {@link ModelData}: files adaspring writes and standard
 * files from other exporters (tensor data as `raw_data` or typed repeated fields, packed or not).
 * Unknown fields are skipped; external tensor data and element types adaspring lacks (float16,
 * strings) raise a {@link ProtoError} that names them.
 *
 * @example
 * ```ts
 * import { decodeModel } from "./decode.ts";
 * import { encodeModel } from "./encode.ts";
 * import { GraphBuilder } from "../graph.ts";
 * const g = new GraphBuilder("g");
 * g.output(g.add1("Relu", [g.input("x", "float32", [2])]));
 * console.assert(decodeModel(encodeModel(g.toModel())).graph.nodes[0].opType === "Relu");
 * ```
 *
 * @module
 */
import { allocate, dtypeFromCode, fromBytes, sizeOf } from "../dtype.ts";
import type {
  Attribute,
  Dim,
  DType,
  GraphData,
  ModelData,
  NamedTensor,
  NodeData,
  OpsetImport,
  TensorData,
  TypedArray,
  ValueInfo,
} from "../types.ts";
import { UNKNOWN_DIM } from "./encode.ts";
import { ProtoError, ProtoReader } from "./wire.ts";

/** Decodes ONNX model bytes. @throws {ProtoError} on malformed or unsupported input. */
export function decodeModel(bytes: Uint8Array): ModelData {
  const r = new ProtoReader(bytes);
  let irVersion = 0;
  let producerName = "";
  let producerVersion = "";
  let docString: string | undefined;
  let graph: GraphData | undefined;
  const opsetImports: OpsetImport[] = [];
  const metadata: Record<string, string> = {};
  while (r.next()) {
    switch (r.field) {
      case 1:
        irVersion = r.int64();
        break;
      case 2:
        producerName = r.string();
        break;
      case 3:
        producerVersion = r.string();
        break;
      case 6:
        docString = r.string();
        break;
      case 7:
        graph = readGraph(r.message());
        break;
      case 8:
        opsetImports.push(readOpset(r.message()));
        break;
      case 14: {
        const [k, v] = readEntry(r.message());
        metadata[k] = v;
        break;
      }
      default:
        r.skip();
    }
  }
  if (graph === undefined) throw new ProtoError(r.offset, "no graph (is this an ONNX model?)");
  if (irVersion === 0) throw new ProtoError(0, "no ir_version (is this an ONNX model?)");
  return {
    irVersion,
    opsetImports,
    producerName,
    producerVersion,
    graph,
    ...(docString ? { docString } : {}),
    ...(Object.keys(metadata).length ? { metadata } : {}),
  };
}

function readOpset(r: ProtoReader): OpsetImport {
  let domain = "";
  let version = 0;
  while (r.next()) {
    if (r.field === 1) domain = r.string();
    else if (r.field === 2) version = r.int64();
    else r.skip();
  }
  return { domain, version };
}

function readEntry(r: ProtoReader): [string, string] {
  let key = "";
  let value = "";
  while (r.next()) {
    if (r.field === 1) key = r.string();
    else if (r.field === 2) value = r.string();
    else r.skip();
  }
  return [key, value];
}

/** Decodes a `GraphProto`. */
export function decodeGraph(bytes: Uint8Array): GraphData {
  return readGraph(new ProtoReader(bytes));
}

function readGraph(r: ProtoReader): GraphData {
  let name = "";
  const nodes: NodeData[] = [];
  const initializers: NamedTensor[] = [];
  const inputs: ValueInfo[] = [];
  const outputs: ValueInfo[] = [];
  const valueInfo: ValueInfo[] = [];
  while (r.next()) {
    switch (r.field) {
      case 1:
        nodes.push(readNode(r.message()));
        break;
      case 2:
        name = r.string();
        break;
      case 5: {
        const t = readTensor(r.message());
        initializers.push({ ...t, name: t.name ?? "" });
        break;
      }
      case 11:
        inputs.push(readValueInfo(r.message(), true)!);
        break;
      case 12:
        outputs.push(readValueInfo(r.message(), true)!);
        break;
      case 13: {
        // Intermediate types are optional: drop the ones adaspring cannot represent.
        const v = readValueInfo(r.message(), false);
        if (v !== undefined) valueInfo.push(v);
        break;
      }
      default:
        r.skip();
    }
  }
  return { name, nodes, inputs, outputs, initializers, valueInfo };
}

function readNode(r: ProtoReader): NodeData {
  const inputs: string[] = [];
  const outputs: string[] = [];
  let name = "";
  let opType = "";
  let domain = "";
  const attributes: Record<string, Attribute> = {};
  while (r.next()) {
    switch (r.field) {
      case 1:
        inputs.push(r.string());
        break;
      case 2:
        outputs.push(r.string());
        break;
      case 3:
        name = r.string();
        break;
      case 4:
        opType = r.string();
        break;
      case 5: {
        const [k, a] = readAttribute(r.message());
        if (a !== undefined) attributes[k] = a;
        break;
      }
      case 7:
        domain = r.string();
        break;
      default:
        r.skip();
    }
  }
  return { name, opType, ...(domain ? { domain } : {}), inputs, outputs, attributes };
}

function readAttribute(r: ProtoReader): [string, Attribute | undefined] {
  let name = "";
  let type = 0;
  let f: number | undefined;
  let i: number | undefined;
  let s: Uint8Array | undefined;
  let t: TensorData | undefined;
  let g: GraphData | undefined;
  const floats: number[] = [];
  const ints: number[] = [];
  const strings: string[] = [];
  while (r.next()) {
    switch (r.field) {
      case 1:
        name = r.string();
        break;
      case 2:
        f = r.float();
        break;
      case 3:
        i = r.int64();
        break;
      case 4:
        s = r.bytes();
        break;
      case 5:
        t = readTensor(r.message());
        break;
      case 6:
        g = readGraph(r.message());
        break;
      case 7:
        floats.push(...r.floats());
        break;
      case 8:
        ints.push(...r.int64s());
        break;
      case 9:
        strings.push(r.string());
        break;
      case 20:
        type = r.int64();
        break;
      default:
        r.skip();
    }
  }
  const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b ?? new Uint8Array());
  switch (type) {
    case 1:
      return [name, { kind: "float", value: f ?? 0 }];
    case 2:
      return [name, { kind: "int", value: i ?? 0 }];
    case 3:
      return [name, { kind: "string", value: text(s) }];
    case 4:
      return [name, t && { kind: "tensor", value: t }];
    case 5:
      return [name, g && { kind: "graph", value: g }];
    case 6:
      return [name, { kind: "floats", value: floats }];
    case 7:
      return [name, { kind: "ints", value: ints }];
    case 8:
      return [name, { kind: "strings", value: strings }];
    default:
      return [name, undefined]; // sparse tensors, type protos: not used by adaspring
  }
}

function elementType(code: number, offset: number, what: string): DType {
  const dtype = dtypeFromCode(code);
  if (dtype === undefined) {
    const names: Record<number, string> = {
      0: "undefined",
      4: "uint16",
      5: "int16",
      8: "string",
      10: "float16",
      12: "uint32",
      13: "uint64",
      16: "bfloat16",
    };
    throw new ProtoError(
      offset,
      `${what} has element type ${names[code] ?? code}, which adaspring does not support`,
    );
  }
  return dtype;
}

/** Decodes a `TensorProto`. */
export function decodeTensor(bytes: Uint8Array): TensorData & { name?: string } {
  return readTensor(new ProtoReader(bytes));
}

function readTensor(r: ProtoReader): TensorData & { name?: string } {
  const dims: number[] = [];
  let code = 0;
  let name: string | undefined;
  let raw: Uint8Array | undefined;
  let external = false;
  const nums: number[] = [];
  const bigs: number[] = [];
  while (r.next()) {
    switch (r.field) {
      case 1:
        dims.push(...r.int64s());
        break;
      case 2:
        code = r.int64();
        break;
      case 4:
        nums.push(...r.floats());
        break;
      case 5:
        nums.push(...r.int64s());
        break;
      case 7:
      case 11:
        bigs.push(...r.int64s());
        break;
      case 8:
        name = r.string();
        break;
      case 9:
        raw = r.bytes();
        break;
      case 10:
        nums.push(...r.doubles());
        break;
      case 14:
        external = r.int64() === 1;
        break;
      default:
        r.skip();
    }
  }
  const what = `tensor "${name ?? ""}"`;
  if (external) {
    throw new ProtoError(r.offset, `${what} uses external data, which adaspring does not read`);
  }
  const dtype = elementType(code, r.offset, what);
  const n = sizeOf(dims);
  let data: TypedArray;
  if (raw !== undefined) {
    data = fromBytes(dtype, raw);
  } else {
    const src = dtype === "int64" ? bigs : nums;
    const out = allocate(dtype, src.length);
    if (out instanceof BigInt64Array) src.forEach((v, k) => out[k] = BigInt(v));
    else (out as Float64Array).set(src);
    data = out;
  }
  if (data.length !== n) {
    throw new ProtoError(r.offset, `${what} has ${data.length} elements for shape [${dims}]`);
  }
  return { dtype, shape: dims, data, ...(name !== undefined ? { name } : {}) };
}

function readValueInfo(r: ProtoReader, required: boolean): ValueInfo | undefined {
  let name = "";
  let code: number | undefined;
  let shape: Dim[] | undefined;
  while (r.next()) {
    if (r.field === 1) name = r.string();
    else if (r.field === 2) {
      const type = r.message();
      while (type.next()) {
        if (type.field !== 1) {
          type.skip();
          continue;
        }
        const tt = type.message();
        while (tt.next()) {
          if (tt.field === 1) code = tt.int64();
          else if (tt.field === 2) shape = readShape(tt.message());
          else tt.skip();
        }
      }
    } else r.skip();
  }
  if (code === undefined || dtypeFromCode(code) === undefined) {
    if (!required) return undefined;
    if (code === undefined) throw new ProtoError(r.offset, `value "${name}" is not a tensor`);
  }
  const dtype = elementType(code!, r.offset, `value "${name}"`);
  return { name, dtype, ...(shape ? { shape } : {}) };
}

function readShape(r: ProtoReader): Dim[] {
  const dims: Dim[] = [];
  while (r.next()) {
    if (r.field !== 1) {
      r.skip();
      continue;
    }
    const d = r.message();
    let dim: Dim = UNKNOWN_DIM;
    while (d.next()) {
      if (d.field === 1) dim = d.int64();
      else if (d.field === 2) dim = d.string();
      else d.skip();
    }
    dims.push(dim);
  }
  return dims;
}
