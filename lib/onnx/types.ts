/**
 * Plain-data types of an ONNX model as adaspring builds, encodes, decodes and interprets it.
 *
 * Everything here is JSON-like data (plus typed arrays), so that later passes (autodiff,
 * quantization, export) can walk and rewrite graphs without knowing the builder.
 *
 * @module
 */

/** Element types adaspring reads and writes. Names follow the typed-array vocabulary. */
export type DType = "float32" | "float64" | "int8" | "uint8" | "int32" | "int64" | "bool";

/**
 * One dimension of a shape: a size, or a symbolic name (like `"N"` for a free batch size).
 * Symbolic names are only carried through ops that pass the dimension along unchanged.
 */
export type Dim = number | string;

/** A tensor shape; `[]` is a scalar. */
export type Shape = readonly Dim[];

/** Typed array that holds the elements of a tensor of a given {@link DType}. */
export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int32Array
  | BigInt64Array;

/** A concrete tensor: element type, static shape and row-major elements. */
export interface TensorData {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TypedArray;
}

/** A named concrete tensor (a graph initializer). */
export interface NamedTensor extends TensorData {
  readonly name: string;
}

/** Declared type of a graph value: element type and (possibly symbolic) shape. */
export interface ValueInfo {
  readonly name: string;
  readonly dtype: DType;
  /** `undefined` when the shape is unknown (allowed only for decoded third-party models). */
  readonly shape?: Shape;
}

/**
 * A node attribute, tagged with its ONNX attribute type so that `1` as an int and `1.0` as a
 * float encode differently (ONNX Runtime rejects a wrongly typed attribute).
 */
export type Attribute =
  | { readonly kind: "int"; readonly value: number }
  | { readonly kind: "float"; readonly value: number }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "ints"; readonly value: readonly number[] }
  | { readonly kind: "floats"; readonly value: readonly number[] }
  | { readonly kind: "strings"; readonly value: readonly string[] }
  | { readonly kind: "tensor"; readonly value: TensorData }
  | { readonly kind: "graph"; readonly value: GraphData };

/** Attributes of a node by name. */
export type Attributes = Readonly<Record<string, Attribute>>;

/** One operator application. Inputs and outputs are value names; `""` marks an omitted input. */
export interface NodeData {
  readonly name: string;
  readonly opType: string;
  /** Operator domain; `""` (the default ONNX domain) when absent. */
  readonly domain?: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Attributes;
}

/** A computation graph in topological order. */
export interface GraphData {
  readonly name: string;
  readonly nodes: readonly NodeData[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly initializers: readonly NamedTensor[];
  /** Types of intermediate values (optional in ONNX; the builder records all of them). */
  readonly valueInfo: readonly ValueInfo[];
}

/** An operator set the model depends on. */
export interface OpsetImport {
  readonly domain: string;
  readonly version: number;
}

/** A whole model: a graph plus the metadata ONNX requires. */
export interface ModelData {
  readonly irVersion: number;
  readonly opsetImports: readonly OpsetImport[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly graph: GraphData;
  readonly docString?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** The opset adaspring emits everywhere. Opset 17 keeps `axes` an attribute of ReduceMean/Max. */
export const OPSET = 17;

/** IR version matching {@link OPSET} (ONNX 1.12). */
export const IR_VERSION = 8;
