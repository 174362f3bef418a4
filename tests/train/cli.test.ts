// `adaspring train` on a quick real-MNIST subset: report contents, artifacts, and errors.
import assert from "node:assert/strict";
import { Command } from "@commander-js/extra-typings";
import { registerTrainCommand } from "../../cli/commands/train.ts";
import { parseSeed } from "../../cli/options.ts";
import { AdaspringError } from "../../lib/errors.ts";

function program() {
  const p = new Command("adaspring")
    .option("--seed <n>", "seed", parseSeed)
    .option("--out <dir>", "run dir")
    .option("--json", "json")
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerTrainCommand(p);
  return p;
}

async function run(args: string[]) {
  const log = console.log, err = console.error;
  console.log = () => {};
  console.error = () => {};
  try {
    await program().parseAsync(args, { from: "user" });
  } finally {
    console.log = log;
    console.error = err;
  }
}

Deno.test("train --task mnist --limit: loss falls, accuracy far above chance, report written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await run([
      "--out",
      dir,
      "train",
      "--task",
      "mnist",
      "--limit",
      "1024",
      "--epochs",
      "2",
      "--batch",
      "32",
      "--lr",
      "0.05",
    ]);
    const report = JSON.parse(await Deno.readTextFile(`${dir}/train.json`));
    const b = report.body;
    assert.equal(report.kind, "train");
    assert.equal(b.epochs.length, 2);
    assert.equal(b.epochs[0].valAccuracy.provenance, "measured-here");
    assert.ok(b.epochs[1].trainLoss.value < b.epochs[0].trainLoss.value, "training loss falls");
    assert.ok(b.test.accuracy.value > 0.5, `test accuracy ${b.test.accuracy.value} (chance 0.1)`);
    assert.ok(b.test.macroF1.value > 0.3);
    assert.equal(b.backend, "web");
    for (
      const f of [
        "training_model.onnx",
        "eval_model.onnx",
        "model.onnx",
        "last.ckpt",
        "best.ckpt",
        "artifacts.json",
      ]
    ) {
      assert.ok((await Deno.stat(`${dir}/${f}`)).size > 0, f);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train: unknown task, bad backend, corrupt checkpoint are clear errors", async () => {
  await assert.rejects(
    () => run(["train", "--task", "no-such-task"]),
    (e) => e instanceof AdaspringError && /unknown task/.test(e.message),
  );
  await assert.rejects(
    () => run(["train", "--task", "mnist", "--backend", "gpu"]),
    /unknown backend/,
  );
  await assert.rejects(() => run(["train", "--task", "mnist", "--lr", "-3"]), /positive number/);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/last.ckpt`, "not a checkpoint");
    await assert.rejects(
      () => run(["train", "--task", "mnist", "--limit", "64", "--epochs", "1", "--resume", dir]),
      (e) =>
        e instanceof AdaspringError && /not an adaspring checkpoint/.test(e.message) &&
        e.message.includes(dir),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
