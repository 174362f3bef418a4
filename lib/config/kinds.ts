/**
 * Which schema a config file is checked against: by its folder (`configs/tasks/`,
 * `configs/platforms/`, `configs/contexts/`, `configs/evaluate/`) unless the caller names the kind.
 *
 * @module
 */
import type { z } from "zod";
import { badInput } from "../errors.ts";
import { contextSchema } from "./context.ts";
import { platformSchema } from "./platform.ts";
import { suiteSchema } from "./suite.ts";
import { taskSchema } from "./task.ts";

/** The kinds of config file. */
export const CONFIG_KINDS = ["task", "platform", "context", "suite"] as const;
/** One of {@link CONFIG_KINDS}. */
export type ConfigKind = typeof CONFIG_KINDS[number];

/** The schema for a kind. */
export function schemaFor(kind: ConfigKind): z.ZodType {
  return {
    task: taskSchema,
    platform: platformSchema,
    context: contextSchema,
    suite: suiteSchema,
  }[kind];
}

/**
 * Infer the kind of a config file from its parent folder.
 *
 * @example
 * ```ts
 * import { inferKind } from "./kinds.ts";
 * console.assert(inferKind("configs/tasks/mnist.yaml") === "task");
 * ```
 */
export function inferKind(path: string): ConfigKind {
  const parts = path.split(/[\\/]/);
  const folder = parts.length >= 2 ? parts[parts.length - 2] : "";
  const kinds = { tasks: "task", platforms: "platform", contexts: "context", evaluate: "suite" };
  const kind = (kinds as Record<string, ConfigKind | undefined>)[folder];
  if (!kind) {
    throw badInput(
      `${path}: cannot tell which kind of config this is from its folder (expected it under ` +
        `tasks/, platforms/, contexts/ or evaluate/); pass --kind task|platform|context|suite.`,
    );
  }
  return kind;
}
