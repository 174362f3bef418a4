/**
 * Where things are: the repository root (for shipped configs), and paths shown to users
 * relative to where they ran the command.
 *
 * @module
 */
import { isAbsolute, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the repository root (the folder holding deno.json). */
export function repoRoot(): string {
  return fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
}

/** Absolute path of a file shipped in the repository, e.g. `repoPath("configs/tasks")`. */
export function repoPath(...parts: string[]): string {
  return join(repoRoot(), ...parts);
}

/**
 * A path as a user wants to read it: relative to the current directory when below it,
 * absolute otherwise.
 *
 * @example
 * ```ts
 * import { displayPath } from "./paths.ts";
 * console.assert(displayPath(`${Deno.cwd()}/a/b.yaml`) === "a/b.yaml");
 * ```
 */
export function displayPath(path: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(Deno.cwd(), path);
  return rel.startsWith("..") ? path : rel;
}

/**
 * A relative path as given when it exists from the current directory, else the shipped file of
 * that path in the repository when that exists (so `configs/contexts/x.yaml` in a suite works
 * from any directory), else the path unchanged (the caller's error names it).
 *
 * @example
 * ```ts
 * import { shippedOrGiven } from "./paths.ts";
 * console.assert(shippedOrGiven("/abs/x.yaml") === "/abs/x.yaml");
 * ```
 */
export function shippedOrGiven(path: string): string {
  if (isAbsolute(path)) return path;
  const exists = (p: string) => {
    try {
      Deno.statSync(p);
      return true;
    } catch {
      return false;
    }
  };
  if (exists(path)) return path;
  const shipped = repoPath(path);
  return exists(shipped) ? displayPath(shipped) : path;
}
