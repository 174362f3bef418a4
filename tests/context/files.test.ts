import assert from "node:assert/strict";
import { AdaspringError } from "../../lib/errors.ts";
import { parseConfig } from "../../lib/config/source.ts";
import { contextSchema, contextTrace, loadContextConfig } from "../../lib/config/context.ts";

const SHIPPED = ["battery-day", "storage-pressure", "latency-burst", "commute-snapshot"];

async function message(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AdaspringError);
    return err.message;
  }
  throw new Error("expected an error");
}

Deno.test("every shipped context file validates; three traces and a snapshot", async () => {
  let traces = 0, snapshots = 0;
  for (const name of SHIPPED) {
    const { config } = await loadContextConfig(`configs/contexts/${name}.yaml`);
    assert.equal(config.name, name);
    if (config.trace) traces++;
    else snapshots++;
    assert.ok(contextTrace(config).length >= 1);
  }
  assert.ok(traces >= 3 && snapshots >= 1);
  const day = (await loadContextConfig("configs/contexts/battery-day.yaml")).config;
  const t = contextTrace(day);
  assert.equal(t[0].batteryPct, 100);
  assert.ok(t[t.length - 1].batteryPct < 10);
  assert.ok(new Set(t.map((e) => e.latencyMs)).size >= 2, "app switches change the demand");
});

Deno.test("knob sections have defaults and are validated with file:line", async () => {
  const state = "batteryPct: 50, freeStorageMb: 100, cpuShare: 0.2, latencyMs: 30";
  const ok = await parseConfig("c.yaml", `name: c\nsnapshot: { ${state} }\n`, contextSchema);
  assert.equal(ok.config.mapping.storageShare, 0.1);
  assert.equal(ok.config.monitor.minDwellS, 30);
  assert.equal(ok.config.workload.inferencesPerSecond, 1);
  assert.equal(ok.config.objective.energyCurveExponent, 2);
  const bad = `name: c\nsnapshot: { ${state} }\nmapping:\n  maxCpuShare: 1\n`;
  assert.match(
    await message(parseConfig("c.yaml", bad, contextSchema)),
    /c\.yaml:4:16 mapping\.maxCpuShare: expected a share in \[0, 1\)/,
  );
  const typo = `name: c\nsnapshot: { ${state} }\nmonitor:\n  minDwell: 3\n`;
  assert.match(
    await message(parseConfig("c.yaml", typo, contextSchema)),
    /c\.yaml:4:3 monitor\.minDwell: unknown key/,
  );
});

Deno.test("a bad trace entry is reported at its line", async () => {
  const text = [
    "name: c",
    "trace:",
    "  - { t: 0, batteryPct: 50, freeStorageMb: 1, cpuShare: 0.1, latencyMs: 5 }",
    "  - { t: 10, batteryPct: 50, freeStorageMb: 1, cpuShare: 1.5, latencyMs: 5 }",
    "  - { t: 20, batteryPct: 50, freeStorageMb: 1, cpuShare: 0.1, latencyMs: 0 }",
    "",
  ].join("\n");
  const msg = await message(parseConfig("trace.yaml", text, contextSchema));
  assert.match(msg, /trace\.yaml:4:\d+ trace\[1\]\.cpuShare: expected a number between 0 and 1/);
  assert.match(msg, /trace\.yaml:5:\d+ trace\[2\]\.latencyMs: expected a number > 0/);
  assert.match(
    await message(loadContextConfig("configs/contexts/nope.yaml")),
    /nope\.yaml: file not found/,
  );
});
