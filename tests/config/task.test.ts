import assert from "node:assert/strict";
import { AdaspringError, ExitCode } from "../../lib/errors.ts";
import { listTasks, loadTaskConfig, taskSchema } from "../../lib/config/task.ts";
import { parseConfig } from "../../lib/config/source.ts";

const SHIPPED = ["fashion", "har", "mnist", "sensor", "sound"];

Deno.test("the five shipped tasks are listed and validate", async () => {
  assert.deepEqual(listTasks(), SHIPPED);
  for (const name of SHIPPED) {
    const { config, hash } = await loadTaskConfig(name);
    assert.equal(config.name, name);
    assert.equal(config.dataset.source, name);
    assert.match(hash, /^[0-9a-f]{64}$/);
  }
});

Deno.test("an unknown task name lists the known ones", async () => {
  await assert.rejects(loadTaskConfig("cifar"), (err: unknown) => {
    assert.ok(err instanceof AdaspringError);
    assert.equal(err.exitCode, ExitCode.badInput);
    assert.match(err.message, /unknown task "cifar".*Known tasks: fashion, har, mnist/);
    return true;
  });
});

const base = (blocks: string) =>
  [
    "name: t",
    "modality: image",
    "dataset: { source: mnist }",
    "model:",
    "  kind: conv2d",
    "  stem: { channels: 16 }",
    "  blocks:",
    blocks,
    "",
  ].join("\n");

Deno.test("an optional block must keep its input's shape", async () => {
  const text = base("    - { channels: 32, stride: 2, optional: true }");
  await assert.rejects(parseConfig("t.yaml", text, taskSchema), (err: unknown) => {
    assert.ok(err instanceof AdaspringError);
    assert.match(err.message, /t\.yaml:8:\d+ model\.blocks\[0\]\.optional: an optional block/);
    return true;
  });
});

Deno.test("a non-integer channel count is reported with its position", async () => {
  const text = base("    - { channels: 16 }\n    - { channels: 2.5 }");
  await assert.rejects(parseConfig("t.yaml", text, taskSchema), (err: unknown) => {
    assert.ok(err instanceof AdaspringError);
    assert.match(
      err.message,
      /t\.yaml:9:19 model\.blocks\[1\]\.channels: expected a positive integer/,
    );
    return true;
  });
});

Deno.test("task defaults fill the operator pool and training", async () => {
  const { config } = await parseConfig("t.yaml", base("    - { channels: 16 }"), taskSchema);
  assert.deepEqual(config.operators.width, [1, 0.75, 0.5, 0.25]);
  assert.equal(config.training.optimizer, "sgd");
  assert.equal(config.model.blocks[0].kernel, 3);
});

Deno.test("an unknown dataset source is rejected", async () => {
  const text = base("    - { channels: 16 }").replace("source: mnist", "source: cifar");
  await assert.rejects(parseConfig("t.yaml", text, taskSchema), /t\.yaml:3:\d+ dataset/);
});
