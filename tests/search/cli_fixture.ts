/**
 * A tiny profile for the search/adapt CLI tests: a 2-block task on the small sensor data, a
 * quick host profile written into a temporary run root, and a CLI runner that captures stdout.
 */
import { join } from "node:path";
import { buildProgram } from "../../cli/main.ts";
import { runProfile } from "../../lib/profile/run.ts";
import { PROVENANCES } from "../../lib/report/provenance.ts";
import assert from "node:assert/strict";

export const TINY = `name: tiny
description: search test task
modality: environment
seed: 0
dataset:
  source: sensor
model:
  kind: conv1d
  stem: { channels: 8, kernel: 3, stride: 1 }
  blocks:
    - { channels: 8, kernel: 3, stride: 1, optional: true }
    - { channels: 16, kernel: 3, stride: 2 }
operators:
  width: [1, 0.5]
  fire: false
  lowRank: false
`;

/** A temp dir with the tiny task and a quick host profile under `<dir>/runs/p1`. */
export async function tinyProfile() {
  const dir = await Deno.makeTempDir({ prefix: "search-test-" });
  const task = join(dir, "tiny.yaml");
  await Deno.writeTextFile(task, TINY);
  const r = await runProfile({
    platform: "host",
    task,
    quick: true,
    accuracySamples: 8,
    latencySamples: 6,
    out: join(dir, "runs", "p1"),
    log: () => {},
  });
  return { dir, task, profile: r.artifactPath, artifact: r.artifact };
}

/** Run the CLI with search/adapt registered; returns captured stdout. */
export async function cli(args: string[]): Promise<string> {
  const program = buildProgram(); // registers `search` and `adapt` itself
  const lines: string[] = [];
  const log = console.log, err = console.error;
  console.log = (...a: unknown[]) => lines.push(a.join(" "));
  console.error = () => {};
  try {
    await program.parseAsync(args, { from: "user" });
  } finally {
    console.log = log;
    console.error = err;
  }
  return lines.join("\n");
}

/** Every `{value, unit}` object under `x` carries a known provenance and a source. */
export function assertFigures(x: unknown, path = "body"): number {
  if (x === null || typeof x !== "object") return 0;
  const o = x as Record<string, unknown>;
  if (typeof o.value === "number" && typeof o.unit === "string") {
    assert.ok(PROVENANCES.includes(o.provenance as never), `${path} lacks provenance`);
    assert.ok(typeof o.source === "string" && o.source.length > 0, `${path} lacks a source`);
    return 1;
  }
  return Object.entries(o).reduce((n, [k, v]) => n + assertFigures(v, `${path}.${k}`), 0);
}
