// `adaspring train` on a quick real-MNIST subset: report contents, artifacts, and errors.
import assert from "node:assert/strict";
import { Command } from "@commander-js/extra-typings";
import { registerTrainCommand } from "../../cli/commands/train.ts";
import { main } from "../../cli/main.ts";
import { parseSeed } from "../../cli/options.ts";
import { AdaspringError, ExitCode } from "../../lib/errors.ts";

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

/** Run the whole CLI in-process; its exit code and what it wrote to stderr. */
async function runMain(args: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const saved = { log: console.log, error: console.error, write: Deno.stderr.writeSync };
  console.log = () => {};
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  // Commander writes usage errors straight to the stream.
  Deno.stderr.writeSync = (b: Uint8Array) => (err.push(new TextDecoder().decode(b)), b.length);
  try {
    return { code: await main(args), err: err.join("\n") };
  } finally {
    console.log = saved.log;
    console.error = saved.error;
    Deno.stderr.writeSync = saved.write;
  }
}

Deno.test("train: bad --batch, --workers, --lr are usage errors naming the option", async () => {
  for (
    const [option, value, expected] of [
      ["--batch", "0", "expected a positive integer"],
      ["--workers", "0", "expected a positive integer"],
      ["--lr", "abc", "expected a positive number"],
    ]
  ) {
    const r = await runMain(["train", "--task", "mnist", option, value]);
    assert.equal(r.code, ExitCode.usage, `${option} ${value}: ${r.err}`);
    assert.ok(r.err.includes(option) && r.err.includes(expected), r.err);
    assert.doesNotMatch(r.err, /at .*\.ts:\d+/); // no stack trace
  }
});

Deno.test("train: --resume of a directory without last.ckpt says so (exit 3)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await runMain(["train", "--task", "mnist", "--limit", "64", "--resume", dir]);
    assert.equal(r.code, ExitCode.badInput, r.err);
    assert.ok(r.err.includes(`${dir}/last.ckpt: no checkpoint there`), r.err);
    assert.match(r.err, /completed at least one epoch/);
    assert.doesNotMatch(r.err, /at .*\.ts:\d+/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
