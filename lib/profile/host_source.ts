/**
 * The real timing source: units run in onnxruntime-web (WASM, one thread) on this machine.
 *
 * How a unit becomes a graph: the configuration that runs it is materialized in full from the
 * weight store (`materialize`, exactly the graph `export` writes), and the unit's nodes are cut
 * out of it ({@link extractPart}): the stem's, block i's (`b<i>.*`), or the head's (pooling,
 * flatten, classifier). The cut graph's input is the activation entering the part, at the shape
 * it has there. Cutting the real export, rather than emitting a block on its own, keeps the
 * block's kernels identical to the ones whole networks run (folded BN bias, fused ReLU, int8
 * DequantizeLinear nodes, residual add, fire interleave). A whole network is the full graph.
 *
 * BN statistics are not calibrated (mean 0, variance 1 are folded): they change the values of
 * the weights, not the kernels run, so timing is unaffected. Each prepared unit has its own
 * uncached session, released by `dispose`; the input is fixed pseudo-random data from a seeded
 * stream (batch 1), and `run` times one `session.run` with `performance.now()`.
 *
 * Per-call overhead: a `session.run` of a 0.1 ms network spends about 16 us copying feeds into
 * the WASM heap, outputs out of it and dispatching, whatever it computes. Summing per-unit
 * timings counts that once per unit instead of once per network, which over-predicted whole
 * mnist networks by 25-70%. Every part unit (not a whole network) therefore also gets an
 * {@link overheadTwin} session with the same inputs and outputs and no compute, exposed as
 * `overhead`, which `measureUnit` and `measureUnits` subtract run by run.
 *
 * @module
 */
import type { GraphData, ModelData, NamedTensor, TensorData, ValueInfo } from "../onnx/types.ts";
import { encodeModel } from "../onnx/proto/encode.ts";
import { createSession, initWeb } from "../runtime/mod.ts";
import { materialize } from "../supernet/materialize.ts";
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import type { WeightStore } from "../supernet/weights.ts";
import { createRng } from "../util/rng.ts";
import { configForVariant, widthMap } from "./space_eval.ts";
import type { TimedRunner, TimingSource, TimingUnit } from "./timing.ts";

/** Name of the host source in provenance strings. */
export const HOST_SOURCE_NAME =
  "onnxruntime-web wasm, 1 thread, batch 1, parts net of per-call overhead";

/** Which part of a materialized graph a node belongs to: `stem`, `b<i>` or `head`. */
export function partOfNode(name: string): string {
  const m = /^(stem|b\d+)(\.|$)/.exec(name);
  return m ? m[1] : "head";
}

/**
 * The subgraph of `model` made of one part's nodes (see {@link partOfNode}), with the single
 * activation entering the part as its input and the values leaving it as outputs.
 *
 * @example
 * ```ts
 * import { loadTaskConfig } from "../config/task.ts";
 * import { createSearchSpace, largestConfig } from "../supernet/mod.ts";
 * import { createWeightStore } from "../supernet/weights.ts";
 * import { materialize } from "../supernet/materialize.ts";
 * import { extractPart } from "./host_source.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const store = createWeightStore(space, { inputChannels: 1, numClasses: 10 }, 0);
 * const m = materialize(store, space, largestConfig(space), { inputShape: [1, 28, 28] });
 * const b2 = extractPart(m.model, "b2");
 * console.assert(b2.graph.inputs[0].name === "b1.add"); // b1 is residual
 * ```
 */
export function extractPart(model: ModelData, part: string): ModelData {
  const g = model.graph;
  const nodes = g.nodes.filter((n) => partOfNode(n.name) === part);
  if (nodes.length === 0) throw new RangeError(`the graph has no nodes of part ${part}`);
  const produced = new Set(nodes.flatMap((n) => n.outputs));
  const inits = new Set(g.initializers.map((t) => t.name));
  const consumed = new Set(nodes.flatMap((n) => n.inputs).filter((x) => x !== ""));
  const entering = [...consumed].filter((x) => !produced.has(x) && !inits.has(x));
  if (entering.length !== 1) {
    throw new RangeError(`part ${part} reads ${entering.length} activations, expected 1`);
  }
  const outside = new Set([
    ...g.nodes.filter((n) => partOfNode(n.name) !== part).flatMap((n) => n.inputs),
    ...g.outputs.map((o) => o.name),
  ]);
  const leaving = [...produced].filter((x) => outside.has(x));
  const info = new Map([...g.inputs, ...g.valueInfo, ...g.outputs].map((v) => [v.name, v]));
  const valueOf = (name: string) => {
    const v = info.get(name);
    if (v === undefined) throw new RangeError(`no type recorded for value ${name}`);
    return v;
  };
  const graph: GraphData = {
    name: `${g.name}.${part}`,
    nodes,
    inputs: [valueOf(entering[0])],
    outputs: leaving.map(valueOf),
    initializers: g.initializers.filter((t) => consumed.has(t.name)),
    valueInfo: g.valueInfo.filter((v) => produced.has(v.name) && !leaving.includes(v.name)),
  };
  return { ...model, graph };
}

/**
 * The empty twin of a unit graph: the same input and outputs (names, shapes), each output an
 * `Identity` of a zero initializer, so one call costs what any call of the unit costs besides
 * its compute (feeds in, outputs out, dispatch). The input is declared but not read.
 *
 * @example
 * ```ts
 * import { overheadTwin } from "./host_source.ts";
 * const model = {
 *   irVersion: 8, opsetImports: [{ domain: "", version: 17 }], producerName: "x", producerVersion: "0",
 *   graph: {
 *     name: "g", nodes: [{ name: "r", opType: "Relu", inputs: ["x"], outputs: ["y"], attributes: {} }],
 *     inputs: [{ name: "x", dtype: "float32" as const, shape: ["N", 3] }],
 *     outputs: [{ name: "y", dtype: "float32" as const, shape: ["N", 3] }],
 *     initializers: [], valueInfo: [],
 *   },
 * };
 * const twin = overheadTwin(model);
 * console.assert(twin.graph.nodes[0].opType === "Identity");
 * console.assert(twin.graph.initializers[0].shape.join() === "1,3");
 * ```
 */
export function overheadTwin(model: ModelData): ModelData {
  const g = model.graph;
  const initializers = g.outputs.map((o) => {
    const shape = concreteShape(o.shape);
    return zeros(`${o.name}.zero`, o.dtype, shape);
  });
  const graph: GraphData = {
    name: `${g.name}.overhead`,
    nodes: g.outputs.map((o) => ({
      name: `${o.name}.twin`,
      opType: "Identity",
      inputs: [`${o.name}.zero`],
      outputs: [o.name],
      attributes: {},
    })),
    inputs: g.inputs,
    outputs: g.outputs,
    initializers,
    valueInfo: [],
  };
  return { ...model, graph };
}

/** A shape with symbolic dimensions (the batch) set to 1. */
function concreteShape(shape: ValueInfo["shape"]): number[] {
  return (shape ?? []).map((d) => (typeof d === "number" ? d : 1));
}

function zeros(name: string, dtype: ValueInfo["dtype"], shape: number[]): NamedTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  if (dtype !== "float32") {
    throw new RangeError(`overheadTwin: output ${name} is ${dtype}; only float32 outputs occur`);
  }
  return { name, dtype, shape, data: new Float32Array(n) };
}

/** The configuration whose graph contains `unit`, and the part to cut from it. */
export function unitGraphSource(
  space: SearchSpace,
  unit: TimingUnit,
): { config: SubnetConfig; part: string | null } {
  const B = space.blocks.length;
  switch (unit.kind) {
    case "network":
      return { config: unit.config, part: null };
    case "stem":
      return { config: { choices: space.blocks.map(() => 0), int8: unit.int8 }, part: "stem" };
    case "block":
      return { config: configForVariant(space, unit.variant), part: `b${unit.variant.block}` };
    case "head": {
      const map = widthMap(space);
      const fi = map.cins[B].indexOf(unit.features);
      if (fi < 0) throw new RangeError(`no configuration ends with ${unit.features} features`);
      return { config: { choices: [...map.prefix[B][fi]], int8: unit.int8 }, part: "head" };
    }
  }
}

/** Options of {@link createHostSource}. */
export interface HostSourceOptions {
  readonly store: WeightStore;
  readonly space: SearchSpace;
  /** One sample's shape, `[C, H, W]` or `[C, L]`. */
  readonly inputShape: readonly number[];
  /** Called with every unit prepared (for counting in tests and progress). */
  readonly onPrepare?: (unit: TimingUnit) => void;
}

function randomInput(shape: readonly number[], seed: number): TensorData {
  const rng = createRng(seed);
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { dtype: "float32", shape, data };
}

/**
 * A {@link TimingSource} over onnxruntime-web on this machine.
 *
 * @example
 * ```ts
 * import { loadTaskConfig } from "../config/task.ts";
 * import { createSearchSpace, smallestConfig } from "../supernet/mod.ts";
 * import { createWeightStore } from "../supernet/weights.ts";
 * import { createHostSource } from "./host_source.ts";
 * import { measureUnit } from "./timing.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const store = createWeightStore(space, { inputChannels: 1, numClasses: 10 }, 0);
 * const source = createHostSource({ store, space, inputShape: [1, 28, 28] });
 * const unit = { kind: "network" as const, config: smallestConfig(space) };
 * const s = await measureUnit(source, unit, { warmup: 1, repeats: 3, trim: 0 });
 * console.assert(s.count === 3 && s.mean > 0);
 * ```
 */
export function createHostSource(opts: HostSourceOptions): TimingSource {
  return {
    name: HOST_SOURCE_NAME,
    async prepare(unit: TimingUnit): Promise<TimedRunner> {
      opts.onPrepare?.(unit);
      // The WASM compile is paid once, before any unit is timed.
      await initWeb();
      const { config, part } = unitGraphSource(opts.space, unit);
      const full = materialize(opts.store, opts.space, config, { inputShape: opts.inputShape });
      const model = part === null ? full.model : extractPart(full.model, part);
      const input = model.graph.inputs[0];
      const feeds = { [input.name]: randomInput(concreteShape(input.shape), 0) };
      const open = (m: ModelData) =>
        createSession(encodeModel(m), { backend: "web", cache: false });
      const session = await open(model);
      const time = async (s: typeof session) => {
        const t0 = performance.now();
        await s.run(feeds);
        return performance.now() - t0;
      };
      // A whole network is timed as it is: it pays its one call overhead like any inference.
      const twin = part === null ? null : await open(overheadTwin(model));
      return {
        run: () => time(session),
        ...(twin ? { overhead: () => time(twin) } : {}),
        async dispose() {
          await session.release();
          await twin?.release();
        },
      };
    },
  };
}
