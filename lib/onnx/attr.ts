/**
 * Constructors and readers for typed node attributes.
 *
 * @example
 * ```ts
 * import { attr, getInts } from "./attr.ts";
 * const attrs = { strides: attr.ints([2, 2]), alpha: attr.float(1) };
 * console.assert(getInts(attrs, "strides", [1, 1])[0] === 2);
 * ```
 *
 * @module
 */
import type { Attribute, Attributes, GraphData, TensorData } from "./types.ts";

/** Constructors for each attribute kind. */
export const attr = {
  /** An INT attribute. */
  int: (value: number): Attribute => ({ kind: "int", value: Math.trunc(value) }),
  /** A FLOAT attribute (stored as float32 in the file). */
  float: (value: number): Attribute => ({ kind: "float", value }),
  /** A STRING attribute. */
  string: (value: string): Attribute => ({ kind: "string", value }),
  /** An INTS attribute. */
  ints: (value: readonly number[]): Attribute => ({
    kind: "ints",
    value: value.map((v) => Math.trunc(v)),
  }),
  /** A FLOATS attribute. */
  floats: (value: readonly number[]): Attribute => ({ kind: "floats", value: [...value] }),
  /** A STRINGS attribute. */
  strings: (value: readonly string[]): Attribute => ({ kind: "strings", value: [...value] }),
  /** A TENSOR attribute (e.g. `Constant.value`). */
  tensor: (value: TensorData): Attribute => ({ kind: "tensor", value }),
  /** A GRAPH attribute (subgraphs of If/Loop; decoded, rarely built). */
  graph: (value: GraphData): Attribute => ({ kind: "graph", value }),
} as const;

function wrongKind(name: string, want: string, got: Attribute): TypeError {
  return new TypeError(`attribute "${name}" should be ${want}, got ${got.kind}`);
}

/** The INT attribute `name`, or `fallback` when absent. */
export function getInt(attrs: Attributes, name: string, fallback: number): number {
  const a = attrs[name];
  if (a === undefined) return fallback;
  if (a.kind !== "int") throw wrongKind(name, "int", a);
  return a.value;
}

/** The FLOAT attribute `name`, or `fallback` when absent. */
export function getFloat(attrs: Attributes, name: string, fallback: number): number {
  const a = attrs[name];
  if (a === undefined) return fallback;
  if (a.kind !== "float") throw wrongKind(name, "float", a);
  return a.value;
}

/** The STRING attribute `name`, or `fallback` when absent. */
export function getString(attrs: Attributes, name: string, fallback: string): string {
  const a = attrs[name];
  if (a === undefined) return fallback;
  if (a.kind !== "string") throw wrongKind(name, "string", a);
  return a.value;
}

/** The INTS attribute `name`, or `fallback` when absent. */
export function getInts(
  attrs: Attributes,
  name: string,
  fallback: readonly number[],
): readonly number[] {
  const a = attrs[name];
  if (a === undefined) return fallback;
  if (a.kind !== "ints") throw wrongKind(name, "ints", a);
  return a.value;
}

/** The INTS attribute `name`, or `undefined` when absent. */
export function getIntsOpt(attrs: Attributes, name: string): readonly number[] | undefined {
  const a = attrs[name];
  if (a === undefined) return undefined;
  if (a.kind !== "ints") throw wrongKind(name, "ints", a);
  return a.value;
}

/** The TENSOR attribute `name`, or `undefined` when absent. */
export function getTensor(attrs: Attributes, name: string): TensorData | undefined {
  const a = attrs[name];
  if (a === undefined) return undefined;
  if (a.kind !== "tensor") throw wrongKind(name, "tensor", a);
  return a.value;
}

/** Drops attributes whose value is `undefined`, so op helpers can pass options through. */
export function definedAttrs(
  attrs: Readonly<Record<string, Attribute | undefined>>,
): Attributes {
  const out: Record<string, Attribute> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) out[k] = v;
  return out;
}
