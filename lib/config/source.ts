/**
 * Reading YAML configs with positions, and validating them with zod so that every error names
 * the file, line and column, the field, and what was expected:
 *
 *     configs/tasks/har.yaml:7:12 model.blocks[2].channels: expected a positive integer
 *
 * @module
 */
import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument } from "yaml";
import type { Document } from "yaml";
import type { z } from "zod";
import { badInput } from "../errors.ts";
import { sha256Hex } from "../util/hash.ts";

/** A config file read and validated. */
export interface LoadedConfig<T> {
  /** The validated value, defaults applied. */
  config: T;
  /** Path as given (relative paths stay relative, for readable messages). */
  path: string;
  /** SHA-256 of the file's bytes. */
  hash: string;
}

/** One problem found in a config, with its position. */
export interface ConfigIssue {
  line: number;
  col: number;
  /** Dotted path like `model.blocks[2].channels` (empty for the document root). */
  field: string;
  message: string;
}

/** Format a zod path as `a.b[2].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** Offset in the text of the node at `path`, or of its deepest existing ancestor. */
function offsetOf(doc: Document, path: readonly PropertyKey[], unknownKey?: string): number {
  let node: unknown = doc.contents;
  let offset = (isNode(node) && node.range) ? node.range[0] : 0;
  const keys = unknownKey === undefined ? path : [...path, unknownKey];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      if (!pair) break;
      // For an unknown key, point at the key itself; otherwise at the value.
      const target = (i === keys.length - 1 && unknownKey !== undefined) ? pair.key : pair.value;
      if (isNode(target) && target.range) offset = target.range[0];
      else if (isNode(pair.key) && pair.key.range) offset = pair.key.range[0];
      node = pair.value;
    } else if (isNode(node) && "items" in node && Array.isArray(node.items)) {
      const item = node.items[key as number];
      if (!isNode(item)) break;
      if (item.range) offset = item.range[0];
      node = item;
    } else break;
  }
  return offset;
}

/**
 * The schema found by walking `path` down from `schema` through objects, arrays, records and
 * the wrappers around them (optional, default, nullable, pipes); at a discriminated union, the
 * option that `value`'s discriminator selects. Undefined where the shape is not fixed.
 */
function schemaAt(
  schema: z.ZodType,
  path: readonly PropertyKey[],
  value: unknown,
): z.ZodType | undefined {
  let node: z.ZodType | undefined = unwrap(schema);
  let here = value;
  for (let i = 0; i <= path.length && node !== undefined; i++) {
    let def = node._zod.def as unknown as Record<string, unknown>;
    if (def.type === "union" && typeof def.discriminator === "string") {
      const tag = (here as Record<string, unknown> | undefined)?.[def.discriminator];
      node = (def.options as z.ZodType[]).find((o) => {
        const shape = (unwrap(o)?._zod.def as unknown as Record<string, unknown>).shape;
        const field = (shape as Record<string, z.ZodType> | undefined)
          ?.[def.discriminator as string];
        return field?.safeParse(tag).success ?? false;
      });
      node = unwrap(node);
      if (node === undefined) return undefined;
      def = node._zod.def as unknown as Record<string, unknown>;
    }
    if (i === path.length) break;
    const key = path[i];
    here = (here as Record<PropertyKey, unknown> | undefined)?.[key];
    if (def.type === "object" && typeof key === "string") {
      node = unwrap((def.shape as Record<string, z.ZodType>)[key]);
    } else if (def.type === "array" && typeof key === "number") {
      node = unwrap(def.element as z.ZodType);
    } else if (def.type === "record") {
      node = unwrap(def.valueType as z.ZodType);
    } else return undefined;
  }
  return node;
}

/** The value at `path` inside `value`, or undefined when any step is missing. */
function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let here = value;
  for (const key of path) {
    if (here === null || typeof here !== "object") return undefined;
    here = (here as Record<PropertyKey, unknown>)[key];
  }
  return here;
}

/** Strip optional / default / nullable / readonly / pipe wrappers. */
function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let node = schema;
  for (let i = 0; node !== undefined && i < 16; i++) {
    const def = node._zod.def as unknown as Record<string, unknown>;
    if (["optional", "default", "prefault", "nullable", "readonly"].includes(def.type as string)) {
      node = def.innerType as z.ZodType;
    } else if (def.type === "pipe") node = def.in as z.ZodType;
    else break;
  }
  return node;
}

/** What a missing field should have held, from its issue (a schema's own message wins). */
function expected(issue: z.core.$ZodIssue): string {
  if (!/^Invalid (input|option)/.test(issue.message)) return issue.message;
  if (issue.code === "invalid_type") return `expected ${issue.expected}`;
  if (issue.code === "invalid_value") return `expected one of ${issue.values.join(", ")}`;
  return issue.message.replace(/^Invalid (input|option): /, "");
}

/** The keys an object schema at `path` allows, or undefined when unknown. */
function allowedKeys(
  schema: z.ZodType | undefined,
  path: readonly PropertyKey[],
  value: unknown,
) {
  const node = schema === undefined ? undefined : schemaAt(schema, path, value);
  const def = node?._zod.def as unknown as Record<string, unknown> | undefined;
  return def?.type === "object" ? Object.keys(def.shape as object) : undefined;
}

/** Make a zod message read as "expected ...", naming the allowed keys for an unknown one. */
function describeIssue(issue: z.core.$ZodIssue, value: unknown, schema?: z.ZodType): string {
  const missing = issue.path.length > 0 && valueAt(value, issue.path) === undefined &&
    issue.code !== "unrecognized_keys";
  if (missing) return `required field is missing (${expected(issue)})`;
  switch (issue.code) {
    case "unrecognized_keys": {
      const keys = allowedKeys(schema, issue.path, value);
      const allowed = keys ? `allowed here: ${keys.join(", ")}` : "see the schema in lib/config";
      return `unknown key (${allowed}); remove or rename it`;
    }
    case "invalid_union":
      return issue.message;
    default:
      return issue.message.replace(/^Invalid input: /, "");
  }
}

/**
 * Map zod issues to positioned {@link ConfigIssue}s (unknown keys become one issue per key; with
 * the `schema`, an unknown key's message lists the keys allowed there).
 */
export function positionIssues(
  doc: Document,
  lines: LineCounter,
  issues: readonly z.core.$ZodIssue[],
  schema?: z.ZodType,
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const value = doc.toJS();
  for (const issue of issues) {
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
    for (const key of keys) {
      const offset = offsetOf(doc, issue.path, key);
      const { line, col } = lines.linePos(offset);
      const path = key === undefined ? issue.path : [...issue.path, key];
      out.push({
        line,
        col,
        field: formatPath(path),
        message: describeIssue(issue, value, schema),
      });
    }
  }
  return out.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** Render issues as one paragraph, one line per issue: `file:line:col field: message`. */
export function formatIssues(path: string, issues: ConfigIssue[]): string {
  return issues.map((i) => `${path}:${i.line}:${i.col} ${i.field || "(document)"}: ${i.message}`)
    .join("\n");
}

/**
 * Parse YAML `text` (from `path`) and validate it with `schema`. Syntax and schema errors throw
 * a bad-input {@link AdaspringError} listing every problem with file:line:col.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { parseConfig } from "./source.ts";
 * const schema = z.strictObject({ n: z.number().default(1) });
 * const { config } = await parseConfig("x.yaml", "{}\n", schema);
 * console.assert(config.n === 1);
 * ```
 */
export async function parseConfig<S extends z.ZodType>(
  path: string,
  text: string,
  schema: S,
): Promise<LoadedConfig<z.output<S>>> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const msgs = doc.errors.map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return `${path}:${line}:${col} YAML syntax: ${e.message.split("\n")[0]}`;
    });
    throw badInput(`${msgs.join("\n")}\nFix the YAML syntax at the position shown.`);
  }
  const value = doc.toJS() ?? {};
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = positionIssues(doc, lines, result.error.issues, schema);
    throw badInput(
      `${formatIssues(path, issues)}\n${path} is not a valid config; fix the fields above.`,
    );
  }
  return { config: result.data, path, hash: await sha256Hex(text) };
}

/** Read `path` and {@link parseConfig} it; a missing file is a clear bad-input error. */
export async function loadConfigFile<S extends z.ZodType>(
  path: string,
  schema: S,
): Promise<LoadedConfig<z.output<S>>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw badInput(`${path}: file not found. Check the path (it is relative to ${Deno.cwd()}).`);
    }
    if (err instanceof Deno.errors.IsADirectory) {
      throw badInput(`${path}: is a directory, expected a YAML file.`);
    }
    throw badInput(`${path}: cannot be read (${(err as Error).message}).`, err);
  }
  return await parseConfig(path, text, schema);
}
