import assert from "node:assert/strict";
import { ExitCode } from "../../lib/errors.ts";
import { runMain as run } from "./run_main.ts";

Deno.test("config validate accepts the shipped tasks", async () => {
  const files = ["mnist", "fashion", "har", "sensor", "sound"].map((t) =>
    `configs/tasks/${t}.yaml`
  );
  const r = await run(["config", "validate", ...files]);
  assert.equal(r.code, ExitCode.ok, r.err);
  assert.equal(r.out.split("\n").filter((l) => l.startsWith("ok")).length, 5);
});

Deno.test("config validate reports file:line:col and exits 3 on a bad file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/tasks/bad.yaml`;
  await Deno.mkdir(`${dir}/tasks`);
  const good = await Deno.readTextFile("configs/tasks/mnist.yaml");
  await Deno.writeTextFile(
    path,
    good.replace("channels: 64, kernel: 3, stride: 2", "channels: -64, kernel: 3, stride: 2"),
  );
  const r = await run(["config", "validate", path]);
  assert.equal(r.code, ExitCode.badInput);
  assert.match(
    r.err,
    /bad\.yaml:\d+:\d+ model\.blocks\[2\]\.channels: expected a positive integer/,
  );
  assert.doesNotMatch(r.err, /at .*\.ts:\d+/); // no stack trace
});

Deno.test("config show --json prints the config with defaults", async () => {
  const r = await run(["--json", "config", "show", "configs/tasks/har.yaml"]);
  assert.equal(r.code, ExitCode.ok, r.err);
  const shown = JSON.parse(r.out);
  assert.equal(shown.kind, "task");
  assert.equal(shown.config.training.schedule, "cosine");
});

Deno.test("a file outside a known folder needs --kind", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/x.yaml`, "name: x\n");
  const r = await run(["config", "validate", `${dir}/x.yaml`]);
  assert.equal(r.code, ExitCode.badInput);
  assert.match(r.err, /pass --kind task\|platform\|context/);
});

Deno.test("usage errors exit 2, help exits 0", async () => {
  assert.equal((await run(["config", "validate", "--bogus", "x"])).code, ExitCode.usage);
  assert.equal((await run(["--seed", "abc", "config", "show", "x.yaml"])).code, ExitCode.usage);
  assert.equal((await run(["no-such-command"])).code, ExitCode.usage);
  assert.equal((await run(["--help"])).code, ExitCode.ok);
  assert.equal((await run(["config", "--help"])).code, ExitCode.ok);
});

Deno.test("shell completions are generated", async () => {
  const r = await run(["complete", "bash"]);
  assert.equal(r.code, ExitCode.ok, r.err);
  assert.match(r.out, /adaspring/);
});
