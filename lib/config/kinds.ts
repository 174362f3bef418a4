/**
 * Which schema a config file is checked against: by its folder (`configs/tasks/`,
 * `configs/platforms/`, `configs/contexts/`) unless the caller names the kind.
 *
 * @module
 */
import type { z } from "zod";
import { badInput } from "../errors.ts";
import { contextSchema } from "./context.ts";
import { platformSchema } from "./platform.ts";
import { taskSchema } from "./task.ts";

/** The kinds of config file. */
export const CONFIG_KINDS = ["task", "platform", "context"] as const;
/** One of {@link CONFIG_KINDS}. */
export type ConfigKind = typeof CONFIG_KINDS[number];

/** The schema for a kind. */
export function schemaFor(kind: ConfigKind): z.ZodType {
  return { task: taskSchema, platform: platformSchema, context: contextSchema }[kind];
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
  const kind = ({ tasks: "task", platforms: "platform", contexts: "context" } as const)[
    folder as "tasks" | "platforms" | "contexts"
  ];
  if (!kind) {
    throw badInput(
      `${path}: cannot tell which kind of config this is from its folder (expected it under ` +
        `tasks/, platforms/ or contexts/); pass --kind task|platform|context.`,
    );
  }
  return kind;
}
