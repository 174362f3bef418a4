/**
 * The graph builder: typed tensor handles, plain-data nodes, unique names and shape inference
 * on every node added. See `mod.ts` for a tour.
 *
 * @module
 */
import { AdaspringError } from "../errors.ts";
import { getTensor } from "./attr.ts";
import { formatShape, isStatic, tensor as makeTensor } from "./dtype.ts";
import { inferNode } from "./infer/mod.ts";
import {
  type Attributes,
  type DType,
  type GraphData,
  IR_VERSION,
  type ModelData,
  type NamedTensor,
  type NodeData,
  OPSET,
  type Shape,
  type TensorData,
  type ValueInfo,
} from "./types.ts";

/**
 * A handle to one value of a {@link GraphBuilder}: its name, element type and shape.
 * Op helpers take handles and return new ones; the handle knows its graph.
 */
export class Tensor implements ValueInfo {
  constructor(
    readonly graph: GraphBuilder,
    readonly name: string,
    readonly dtype: DType,
    readonly shape: Shape,
  ) {}

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** Dimension `i` as a number (negative `i` counts from the end); throws if symbolic. */
  dim(i: number): number {
    const d = this.shape[i < 0 ? i + this.shape.length : i];
    if (typeof d !== "number") {
      throw new AdaspringError(`value "${this.name}" dim ${i} is ${d}, not a static size`);
    }
    return d;
  }

  /** Like `x[1,3,32,32]:float32`. */
  toString(): string {
    return `${this.name}${formatShape(this.shape)}:${this.dtype}`;
  }
}

/** Options of {@link GraphBuilder.add}. */
export interface AddOptions {
  /** Base of the node's and outputs' names; made unique with a `_k` suffix. */
  readonly name?: string;
  /** How many outputs to create (default 1). Optional outputs beyond this are omitted. */
  readonly outputs?: number;
  /** Operator domain, `""` (default ONNX) when absent. */
  readonly domain?: string;
  /** Output types, required when the op has no shape rule; overrides the rule otherwise. */
  readonly outputTypes?: readonly { readonly dtype: DType; readonly shape: Shape }[];
}

/** An input of {@link GraphBuilder.add}: a handle, a value name, or nothing (omitted input). */
export type NodeInput = Tensor | string | undefined | null;

/**
 * Builds one ONNX graph. Every value has a static type, checked as nodes are added.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./graph.ts";
 * import { attr } from "./attr.ts";
 * const g = new GraphBuilder("tiny");
 * const x = g.input("x", "float32", ["N", 2]);
 * const w = g.param("w", { dtype: "float32", shape: [3, 2], data: new Float32Array(6) });
 * const y = g.add1("Gemm", [x, w], { transB: attr.int(1) });
 * g.output(y, "y");
 * console.assert(g.tensor("y").shape[1] === 3 && g.nodes.length === 2);
 * ```
 */
export class GraphBuilder {
  readonly name: string;
  readonly #nodes: NodeData[] = [];
  readonly #values = new Map<string, ValueInfo>();
  readonly #inits = new Map<string, NamedTensor>();
  readonly #consts = new Map<string, TensorData>();
  readonly #inputs: string[] = [];
  readonly #outputs: string[] = [];
  readonly #nodeNames = new Set<string>();

  constructor(name = "graph") {
    this.name = name;
  }

  /**
   * A builder holding a copy of `graph`'s nodes and values, to extend it (e.g. append a
   * backward pass). Values without declared types are inferred.
   */
  static from(graph: GraphData): GraphBuilder {
    const g = new GraphBuilder(graph.name);
    for (const t of graph.initializers) g.param(t.name, t);
    for (const v of graph.inputs) {
      if (g.#inits.has(v.name)) continue; // old-style models list initializers as inputs
      if (v.shape === undefined) throw new AdaspringError(`graph input "${v.name}" has no shape`);
      g.input(v.name, v.dtype, v.shape);
    }
    const declared = new Map([...graph.valueInfo, ...graph.outputs].map((v) => [v.name, v]));
    for (const node of graph.nodes) {
      const types = node.outputs.map((o) => declared.get(o));
      g.#append(
        node,
        types.every((t) => t?.shape)
          ? types.map((t) => ({ dtype: t!.dtype, shape: t!.shape! }))
          : undefined,
      );
    }
    for (const v of graph.outputs) g.output(g.tensor(v.name));
    return g;
  }

  /** Nodes in the order added (a topological order). */
  get nodes(): readonly NodeData[] {
    return this.#nodes;
  }

  /** Graph inputs (initializers excluded). */
  get inputs(): readonly Tensor[] {
    return this.#inputs.map((n) => this.tensor(n));
  }

  /** Graph outputs. */
  get outputs(): readonly Tensor[] {
    return this.#outputs.map((n) => this.tensor(n));
  }

  /** Initializers (weights and constants) in the order added. */
  get initializers(): readonly NamedTensor[] {
    return [...this.#inits.values()];
  }

  /** `base` if no value has that name yet, else `base_1`, `base_2`, ... */
  uniqueName(base: string): string {
    if (!this.#values.has(base) && !this.#nodeNames.has(base)) return base;
    for (let k = 1;; k++) {
      const name = `${base}_${k}`;
      if (!this.#values.has(name) && !this.#nodeNames.has(name)) return name;
    }
  }

  /** Declares a graph input. Use a string dim (like `"N"`) for a free batch size. */
  input(name: string, dtype: DType, shape: Shape): Tensor {
    this.#claim(name);
    this.#values.set(name, { name, dtype, shape: [...shape] });
    this.#inputs.push(name);
    return this.tensor(name);
  }

  /** Adds an initializer named exactly `name` (a weight, BN statistic, ...). */
  param(name: string, value: TensorData): Tensor {
    this.#claim(name);
    const t: NamedTensor = { name, dtype: value.dtype, shape: [...value.shape], data: value.data };
    this.#inits.set(name, t);
    this.#consts.set(name, t);
    this.#values.set(name, { name, dtype: t.dtype, shape: t.shape });
    return this.tensor(name);
  }

  /** Replaces the value of initializer `name`, keeping its dtype and shape (weight updates). */
  setParam(name: string, value: TensorData): void {
    const old = this.#inits.get(name);
    if (old === undefined) throw new AdaspringError(`no initializer named "${name}"`);
    if (old.dtype !== value.dtype || formatShape(old.shape) !== formatShape(value.shape)) {
      throw new AdaspringError(
        `initializer "${name}" is ${old.dtype}${formatShape(old.shape)}, ` +
          `new value is ${value.dtype}${formatShape(value.shape)}`,
      );
    }
    const t = { name, dtype: value.dtype, shape: old.shape, data: value.data };
    this.#inits.set(name, t);
    this.#consts.set(name, t);
  }

  /** Adds a constant initializer under a fresh name derived from `base`. */
  constant(value: TensorData, base = "const"): Tensor {
    return this.param(this.uniqueName(base), value);
  }

  /** A 1-D int64 constant (shapes, axes, slice bounds). */
  ints(values: readonly number[], base = "ints"): Tensor {
    return this.constant(makeTensor("int64", [values.length], values), base);
  }

  /** A scalar constant. */
  scalar(value: number, dtype: DType = "float32", base = "scalar"): Tensor {
    return this.constant(makeTensor(dtype, [], [value]), base);
  }

  /**
   * Appends a node and returns handles to its outputs, typed by shape inference.
   *
   * @throws {AdaspringError} when inputs are unknown or their shapes do not fit the op.
   */
  add(
    opType: string,
    inputs: readonly NodeInput[],
    attributes: Attributes = {},
    options: AddOptions = {},
  ): Tensor[] {
    const base = options.name ?? opType.toLowerCase();
    const nodeName = this.uniqueName(base);
    const n = options.outputs ?? 1;
    const outputs = Array.from(
      { length: n },
      (_, i) => this.uniqueName(i ? `${nodeName}_${i}` : nodeName),
    );
    const node: NodeData = {
      name: nodeName,
      opType,
      ...(options.domain ? { domain: options.domain } : {}),
      inputs: inputs.map((t) => this.#inputName(t)),
      outputs,
      attributes,
    };
    this.#append(node, options.outputTypes);
    return outputs.map((o) => this.tensor(o));
  }

  /** {@link add} for an op with one output. */
  add1(
    opType: string,
    inputs: readonly NodeInput[],
    attributes: Attributes = {},
    options: Omit<AddOptions, "outputs"> = {},
  ): Tensor {
    return this.add(opType, inputs, attributes, { ...options, outputs: 1 })[0];
  }

  /**
   * Marks `t` as a graph output. With `name`, the output gets that exact name (through an
   * Identity node when `t` already has another name).
   */
  output(t: Tensor, name?: string): Tensor {
    this.#own(t);
    let out = t;
    if (name !== undefined && name !== t.name) {
      this.#claim(name);
      this.#nodeNames.add(name);
      const node = { name, opType: "Identity", inputs: [t.name], outputs: [name], attributes: {} };
      this.#nodes.push(node);
      this.#values.set(name, { name, dtype: t.dtype, shape: t.shape });
      out = this.tensor(name);
    }
    if (!this.#outputs.includes(out.name)) this.#outputs.push(out.name);
    return out;
  }

  /** Removes every graph output (to re-declare them, e.g. loss and gradients). */
  clearOutputs(): void {
    this.#outputs.length = 0;
  }

  /** A handle to the existing value `name`. */
  tensor(name: string): Tensor {
    const v = this.#values.get(name);
    if (v === undefined) throw new AdaspringError(`graph "${this.name}" has no value "${name}"`);
    return new Tensor(this, name, v.dtype, v.shape!);
  }

  /** True when a value (input, initializer or node output) has this name. */
  has(name: string): boolean {
    return this.#values.has(name);
  }

  /** The initializer `name`, or `undefined`. */
  initializer(name: string): NamedTensor | undefined {
    return this.#inits.get(name);
  }

  /** The value of `name` when it is an initializer or a Constant's output. */
  constantValue(name: string): TensorData | undefined {
    return this.#consts.get(name);
  }

  /** The node producing value `name`, or `undefined` for inputs and initializers. */
  producerOf(name: string): NodeData | undefined {
    return this.#nodes.find((n) => n.outputs.includes(name));
  }

  /** The nodes reading value `name`. */
  consumersOf(name: string): NodeData[] {
    return this.#nodes.filter((n) => n.inputs.includes(name));
  }

  /** A snapshot of the graph as plain data. */
  toGraph(): GraphData {
    const outs = new Set(this.#outputs);
    const io = new Set([...this.#inputs, ...this.#inits.keys()]);
    return {
      name: this.name,
      nodes: [...this.#nodes],
      inputs: this.#inputs.map((n) => this.#values.get(n)!),
      outputs: this.#outputs.map((n) => this.#values.get(n)!),
      initializers: [...this.#inits.values()],
      valueInfo: [...this.#values.values()].filter((v) => !outs.has(v.name) && !io.has(v.name)),
    };
  }

  /** The graph wrapped in a model with adaspring's opset and IR version. */
  toModel(meta: { docString?: string; metadata?: Record<string, string> } = {}): ModelData {
    const domains = new Set(this.#nodes.map((n) => n.domain ?? "").filter((d) => d !== ""));
    return {
      irVersion: IR_VERSION,
      opsetImports: [
        { domain: "", version: OPSET },
        ...[...domains].map((d) => ({ domain: d, version: 1 })),
      ],
      producerName: "adaspring",
      producerVersion: "0.1.0",
      graph: this.toGraph(),
      ...meta,
    };
  }

  #append(
    node: NodeData,
    types: readonly { readonly dtype: DType; readonly shape: Shape }[] | undefined,
  ): void {
    for (const i of node.inputs) {
      if (i !== "" && !this.#values.has(i)) {
        throw new AdaspringError(`${node.opType} node "${node.name}": unknown input "${i}"`);
      }
    }
    const inferred = types ?? inferNode(
      node,
      (n) => this.#values.get(n),
      (n) => this.#consts.get(n),
    );
    if (inferred === undefined) {
      throw new AdaspringError(
        `${node.opType} node "${node.name}": no shape rule for this op; pass outputTypes`,
      );
    }
    node.outputs.forEach((name, i) => {
      if (name === "") return; // an omitted optional output
      const t = inferred[i];
      if (t === undefined || t.shape === undefined || !isStaticOrSymbolic(t.shape)) {
        throw new AdaspringError(
          `${node.opType} node "${node.name}": output ${i} has no static shape ` +
            `(are its shape inputs constants?)`,
        );
      }
      this.#claim(name);
      this.#values.set(name, { name, dtype: t.dtype, shape: [...t.shape] });
    });
    this.#nodeNames.add(node.name);
    if (node.opType === "Constant" && !node.domain) {
      const v = getTensor(node.attributes, "value");
      if (v !== undefined) this.#consts.set(node.outputs[0], v);
    }
    this.#nodes.push(node);
  }

  #claim(name: string): void {
    if (name === "") {
      throw new AdaspringError(`graph "${this.name}": value names must not be empty`);
    }
    if (this.#values.has(name)) {
      throw new AdaspringError(`graph "${this.name}" already has a value named "${name}"`);
    }
  }

  #own(t: Tensor): void {
    if (t.graph !== this) {
      throw new AdaspringError(
        `value "${t.name}" belongs to graph "${t.graph.name}", not "${this.name}"`,
      );
    }
  }

  #inputName(t: NodeInput): string {
    if (t === undefined || t === null) return "";
    if (typeof t === "string") return t;
    this.#own(t);
    return t.name;
  }
}

function isStaticOrSymbolic(shape: Shape): boolean {
  return isStatic(shape) ? shape.every((d) => d >= 0) : true;
}
