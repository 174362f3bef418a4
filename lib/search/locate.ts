/**
 * Finding a task's profile for a platform when the user does not name one: the newest
 * `profile-<platform>.json` under the run root (`runs/*` by default) that was made for the task.
 *
 * @module
 */
import { join } from "node:path";
import { badInput } from "../errors.ts";

/** Options of {@link locateProfile}. */
export interface LocateOptions {
  /** Platform name as written in the artifact's file name (`profile-<platform>.json`). */
  readonly platform: string;
  /** Task name (the artifact's `task.name`). */
  readonly task: string;
  /** Directory of run directories (default `runs`). */
  readonly root?: string;
}

/**
 * The newest (by modification time) profile of `task` on `platform` under `root/*`.
 *
 * @throws {AdaspringError} (bad input) when there is none, saying which command makes one.
 *
 * @example
 * ```ts
 * import { locateProfile } from "./locate.ts";
 * const root = await Deno.makeTempDir();
 * try { await locateProfile({ platform: "pi4", task: "mnist", root }); } catch (e) {
 *   console.assert(String(e).includes("adaspring profile --platform pi4 --task mnist"));
 * }
 * ```
 */
export async function locateProfile(opts: LocateOptions): Promise<string> {
  const root = opts.root ?? "runs";
  const file = `profile-${opts.platform}.json`;
  let best: { path: string; mtime: number } | null = null;
  let looked = 0;
  try {
    for await (const entry of Deno.readDir(root)) {
      if (!entry.isDirectory) continue;
      looked++;
      const path = join(root, entry.name, file);
      let stat: Deno.FileInfo;
      try {
        stat = await Deno.stat(path);
      } catch {
        continue; // no profile for this platform in this run
      }
      if (!(await madeFor(path, opts.task))) continue;
      const mtime = stat.mtime?.getTime() ?? 0;
      if (best === null || mtime > best.mtime) best = { path, mtime };
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  if (best === null) {
    throw badInput(
      `no profile of task ${opts.task} on platform ${opts.platform}: looked for ${file} in ` +
        `${looked} run director${looked === 1 ? "y" : "ies"} under ${root}/. Run ` +
        `\`adaspring profile --platform ${opts.platform} --task ${opts.task}\` first, or pass ` +
        `--profile FILE.`,
    );
  }
  return best.path;
}

/** Whether the artifact at `path` names `task` (unreadable or foreign files are skipped). */
async function madeFor(path: string, task: string): Promise<boolean> {
  try {
    const json = JSON.parse(await Deno.readTextFile(path)) as { task?: { name?: unknown } };
    return json.task?.name === task;
  } catch {
    return false;
  }
}
