/**
 * The one module that writes reports. Every report carries what is needed to reproduce and
 * trust it: schema version, command line, hashes of the configs it read, git commit, seed,
 * machine facts, timings, and (inside the body) provenance on every figure.
 *
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic.ts";
import { sha256Hex } from "../util/hash.ts";
import { repoRoot } from "../util/paths.ts";
import { type MachineFacts, machineFacts } from "./machine.ts";

/** Version of the report envelope. Bump when a field changes meaning or is removed. */
export const REPORT_SCHEMA_VERSION = 1;

/** What a stage hands to {@link writeReport}. */
export interface ReportInput {
  /** Stage that wrote it, e.g. `datasets-prepare`, `model-bench`. */
  kind: string;
  /** Seed every random choice of the run flowed from. */
  seed?: number;
  /** Config files the run read; their SHA-256 hashes are recorded. */
  configPaths?: string[];
  /** Wall-clock timings of the run's phases, in milliseconds (measured here). */
  timingsMs?: Record<string, number>;
  /** The stage's results. Figures inside should be {@link Figure}s. */
  body: Record<string, unknown>;
}

/** The envelope written to disk. */
export interface Report {
  schemaVersion: number;
  kind: string;
  createdAt: string;
  commandLine: string[];
  gitCommit: string;
  seed: number | null;
  configs: { path: string; sha256: string }[];
  machine: MachineFacts;
  timingsMs: Record<string, number>;
  /**
   * Provenance of every `timingsMs` figure in the report (the envelope's and any phase timings
   * in the body): wall-clock time of this process on the machine in `machine`, so always
   * `measured-here`. Kept as plain milliseconds rather than one Figure per phase.
   */
  timingsProvenance: "measured-here";
  body: Record<string, unknown>;
}

/** The current git commit (with `-dirty` when the tree has changes), or "unknown". */
export async function gitCommit(): Promise<string> {
  try {
    const run = async (args: string[]) => {
      const out = await new Deno.Command("git", {
        args,
        cwd: repoRoot(),
        stdout: "piped",
        stderr: "null",
      })
        .output();
      return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
    };
    const head = await run(["rev-parse", "HEAD"]);
    if (!head) return "unknown";
    const status = await run(["status", "--porcelain", "--untracked-files=no"]);
    return status ? `${head}-dirty` : head;
  } catch {
    return "unknown";
  }
}

/**
 * The run directory for a stage: `out` when given, else `runs/<kind>-<UTC timestamp>`.
 *
 * @example
 * ```ts
 * import { runDir } from "./report.ts";
 * console.assert(runDir("x", "train") === "x");
 * console.assert(runDir(undefined, "train").startsWith("runs/train-"));
 * ```
 */
export function runDir(out: string | undefined, kind: string): string {
  if (out) return out;
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace(
    "T",
    "-",
  );
  return join("runs", `${kind}-${stamp}`);
}

/** Build the envelope for `input` without writing it (for tests and `--json` output). */
export async function buildReport(input: ReportInput): Promise<Report> {
  const configs = [];
  for (const path of input.configPaths ?? []) {
    configs.push({ path, sha256: await sha256Hex(await Deno.readFile(path)) });
  }
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    kind: input.kind,
    createdAt: new Date().toISOString(),
    commandLine: ["adaspring", ...Deno.args],
    gitCommit: await gitCommit(),
    seed: input.seed ?? null,
    configs,
    machine: machineFacts(),
    timingsMs: input.timingsMs ?? {},
    timingsProvenance: "measured-here",
    body: input.body,
  };
}

/**
 * Write a report atomically to `dir/name` and return its path.
 *
 * @example
 * ```ts
 * import { writeReport } from "./report.ts";
 * import { measuredHere } from "./provenance.ts";
 * const dir = await Deno.makeTempDir();
 * const path = await writeReport(dir, "report.json", {
 *   kind: "example",
 *   seed: 0,
 *   body: { latency: measuredHere(1.2, "ms") },
 * });
 * console.assert(JSON.parse(await Deno.readTextFile(path)).schemaVersion === 1);
 * ```
 */
export async function writeReport(dir: string, name: string, input: ReportInput): Promise<string> {
  const report = await buildReport(input);
  const path = join(dir, name);
  await writeFileAtomic(path, JSON.stringify(report, null, 2) + "\n");
  return path;
}
