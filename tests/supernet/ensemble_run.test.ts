// Short ensemble-training runs on a real MNIST subset with a small task written here: the
// largest and smallest configurations learn (far above the 10% chance level), an interrupted
// run resumed from its checkpoint ends bit-identical to an uninterrupted one, and the
// `train-supernet` command (2 workers, corner sampling) writes a report and a weight store that `loadWeightStore` reads.
import assert from "node:assert/strict";
import { Command } from "@commander-js/extra-typings";
import { dirname } from "node:path";
import { registerTrainSupernetCommand } from "../../cli/commands/train_supernet.ts";
import { parseSeed } from "../../cli/options.ts";
import { loadTaskConfig } from "../../lib/config/task.ts";
import { prepareDataset } from "../../lib/data/prepare.ts";
import type { Samples } from "../../lib/data/types.ts";
import { type SupernetTrainOptions, trainSupernet } from "../../lib/supernet/ensemble.ts";
import { createSearchSpace } from "../../lib/supernet/space.ts";
import { createWeightStore } from "../../lib/supernet/weights.ts";
import { loadWeightStore } from "../../lib/supernet/weights_io.ts";
import { AdaspringError } from "../../lib/errors.ts";
import { exportSubnet } from "../../lib/supernet/export.ts";
import { largestConfig } from "../../lib/supernet/extremes.ts";
import { modelKey } from "../../lib/runtime/cache.ts";

// Named mnist with the shipped dataset section, so the prepared-data cache is shared.
const TASK = `name: mnist
modality: image
seed: 0
dataset:
  source: mnist
  split: { val: 0.1 }
model:
  kind: conv2d
  stem: { channels: 8, kernel: 3, stride: 2 }
  blocks:
    - { channels: 16, kernel: 3, stride: 2 }
    - { channels: 16, kernel: 3, stride: 1, optional: true }
    - { channels: 32, kernel: 3, stride: 2 }
operators:
  width: [1, 0.5]
  depth: true
  depthwise: false
  fire: { squeeze: 0.5 }
  lowRank: { ranks: [0.5] }
  int8: true
training:
  epochs: 2
  batchSize: 32
  lr: 0.1
  schedule: cosine
`;

function head(s: Samples, n: number, size: number): Samples {
  return { x: s.x.subarray(0, n * size), y: s.y.subarray(0, n) };
}

async function setup(dir: string) {
  const path = `${dir}/task.yaml`;
  await Deno.writeTextFile(path, TASK);
  const { config } = await loadTaskConfig(path);
  const data = await prepareDataset(config.name, config.dataset, {
    seed: 0,
    baseDir: dirname(path),
  });
  const space = createSearchSpace(config);
  const io = { inputChannels: 1, numClasses: 10 };
  const options = (outDir: string): SupernetTrainOptions => ({
    space,
    store: createWeightStore(space, io, 0),
    data: {
      inputShape: data.inputShape,
      train: head(data.train, 1600, 784),
      val: head(data.val, 300, 784),
      key: data.checksum,
    },
    epochs: 2,
    batchSize: 32,
    lr: 0.1,
    optimizer: { kind: "sgd", momentum: 0.9, weightDecay: 5e-4 },
    schedule: "cosine",
    random: 1,
    watchRandom: 1,
    calibrationSamples: 128,
    distill: { temperature: 1, alpha: 0.5 },
    seed: 0,
    backend: "web",
    outDir,
  });
  return { path, options };
}

Deno.test("train-supernet: both extremes learn; an interrupted run resumes bit-identically; CLI report", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { path, options } = await setup(dir);
    const a = options(`${dir}/a`);
    const full = await trainSupernet(a);
    assert.equal(full.epochs.length, 2);
    assert.equal(full.steps, 100);
    const last = full.epochs[1].validation;
    const acc = (role: string) => last.find((v) => v.role === role)!.accuracy;
    assert.ok(acc("largest") > 0.5, `largest ${acc("largest")} (chance 0.1)`);
    assert.ok(acc("smallest") > 0.3, `smallest ${acc("smallest")} (chance 0.1)`);
    assert.ok(full.epochs[1].lossLargest < full.epochs[0].lossLargest, "teacher loss falls");

    // Interrupt after epoch 1 (abort during its validation), then resume.
    const b = options(`${dir}/b`);
    const controller = new AbortController();
    const first = await trainSupernet({
      ...b,
      signal: controller.signal,
      onProgress: (p) => p.phase === "eval" && controller.abort(),
    });
    assert.ok(first.interrupted);
    assert.equal(first.epochs.length, 1);
    // Resuming with other training settings is refused, naming what differs.
    await assert.rejects(
      () => trainSupernet({ ...options(`${dir}/b`), lr: 0.2, resume: true }),
      /b\/last\.ckpt: checkpoint was trained with other training settings \(lr 0\.1 in the checkpoint, 0\.2 now\)/,
    );
    const c = { ...options(`${dir}/b`), resume: true };
    const resumed = await trainSupernet(c);
    assert.equal(resumed.resumedFromEpoch, 1);
    assert.equal(resumed.steps, 100);
    assert.deepEqual(resumed.epochs.map((e) => e.validation), full.epochs.map((e) => e.validation));
    for (const [name, t] of a.store.tensors) {
      assert.deepEqual(c.store.tensors.get(name)!.data, t.data, `${name} differs after resume`);
    }

    // The command: one quick epoch, report and a loadable store.
    const log = console.log, err = console.error;
    console.log = () => {};
    console.error = () => {};
    try {
      const p = new Command("adaspring").option("--seed <n>", "seed", parseSeed)
        .option("--out <dir>", "run dir").option("--json", "json").exitOverride();
      registerTrainSupernetCommand(p);
      await p.parseAsync([
        "--out",
        `${dir}/cli`,
        "train-supernet",
        "--task",
        path,
        "--epochs",
        "1",
        "--limit",
        "160",
        "--random",
        "1",
        "--watch",
        "1",
        "--workers",
        "2",
        "--sampling",
        "corners",
        "--config-steps",
        "2",
        "--class-balanced",
        "0.5",
        "--gradient-reduction",
        "mean",
      ], { from: "user" });
    } finally {
      console.log = log;
      console.error = err;
    }
    const report = JSON.parse(await Deno.readTextFile(`${dir}/cli/train-supernet.json`));
    assert.equal(report.kind, "train-supernet");
    assert.equal(report.body.workers, 2);
    assert.equal(report.body.hyperParameters.sampling, "corners");
    assert.equal(report.body.hyperParameters.configSteps, 2);
    assert.equal(report.body.hyperParameters.classBalanced, true);
    assert.equal(report.body.hyperParameters.classBalancePower, 0.5);
    assert.equal(report.body.hyperParameters.largestOnlyEpochs, 0);
    assert.equal(report.body.hyperParameters.gradientReduction, "mean");
    const e = report.body.epochs[0];
    assert.deepEqual(e.validation.map((v: { role: string }) => v.role), [
      "largest",
      "smallest",
      "random",
    ]);
    assert.equal(e.validation[0].accuracy.provenance, "measured-here");
    const loaded = await loadWeightStore(
      report.body.artifacts.weights,
      createSearchSpace((await loadTaskConfig(path)).config),
    );
    assert.match(loaded.origin, /ensemble-trained/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train-supernet --config-steps K: sampled configurations are redrawn every K steps, so fewer sessions are built", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { options } = await setup(dir);
    const run = (configSteps: number) => {
      const o = options(`${dir}/k${configSteps}`);
      // 10 steps of 2 sampled configurations.
      return trainSupernet({
        ...o,
        data: { ...o.data, train: head(o.data.train, 320, 784) },
        epochs: 1,
        random: 2,
        configSteps,
      });
    };
    const every = await run(1), grouped = await run(5);
    assert.equal(grouped.steps, 10);
    // largest + smallest + 2 groups x 2 sampled configurations at most.
    assert.ok(grouped.sessionsBuilt <= 6, `built ${grouped.sessionsBuilt}`);
    assert.ok(
      every.sessionsBuilt > grouped.sessionsBuilt,
      `${every.sessionsBuilt} vs ${grouped.sessionsBuilt}`,
    );
    await assert.rejects(() => run(0), /steps per sampled configuration \(--config-steps\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train-supernet --largest-only-epochs: the first epochs train the largest alone, then the sandwich", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { options } = await setup(dir);
    const run = (epochs: number, largestOnlyEpochs: number, out: string) => {
      const o = options(`${dir}/${out}`);
      // 5 steps per epoch.
      return {
        store: o.store,
        result: trainSupernet({
          ...o,
          data: { ...o.data, train: head(o.data.train, 160, 784) },
          epochs,
          largestOnlyEpochs,
        }),
      };
    };
    const fireOnly = ["b0.squeeze.w", "b2.squeeze.w"];
    const fresh = run(2, 2, "only");
    const before = fireOnly.map((n) => fresh.store.tensors.get(n)!.data.slice());
    const only = await fresh.result;
    // Only the largest's session; the fire blocks' squeeze weights are read by no step.
    assert.equal(only.sessionsBuilt, 1);
    assert.equal(only.steps, 10);
    fireOnly.forEach((n, i) => assert.deepEqual(fresh.store.tensors.get(n)!.data, before[i], n));
    assert.ok(only.epochs.every((e) => Number.isNaN(e.lossSmallest)));
    assert.ok(only.epochs.every((e) => Number.isFinite(e.lossLargest)));

    const mixed = await run(2, 1, "mixed").result;
    assert.ok(Number.isNaN(mixed.epochs[0].lossSmallest));
    assert.ok(Number.isFinite(mixed.epochs[1].lossSmallest));
    assert.ok(mixed.sessionsBuilt > 1, `built ${mixed.sessionsBuilt}`);
    // The first epoch is the same largest-only epoch as the run above (same seed, order, lr).
    assert.equal(mixed.epochs[0].lossLargest, only.epochs[0].lossLargest);
    await assert.rejects(() => run(1, 2, "over").result, /counted within the 1 epoch/);
    // Resuming with another value is refused: it is part of the recorded settings.
    await assert.rejects(
      () => trainSupernet({ ...options(`${dir}/mixed`), epochs: 3, resume: true }),
      /setting|differ/i,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train-supernet --teacher: distils from the model given, recorded by path and hash; a missing file is bad input", async () => {
  const dir = await Deno.makeTempDir();
  const log = console.log, err = console.error;
  try {
    const path = `${dir}/task.yaml`;
    await Deno.writeTextFile(path, TASK);
    const space = createSearchSpace((await loadTaskConfig(path)).config);
    const teacher = exportSubnet(
      createWeightStore(space, { inputChannels: 1, numClasses: 10 }, 7),
      space,
      largestConfig(space),
      { inputShape: [1, 28, 28] },
    );
    await Deno.writeFile(`${dir}/teacher.onnx`, teacher.bytes);
    const run = (out: string, model: string) => {
      const p = new Command("adaspring").option("--seed <n>", "seed", parseSeed)
        .option("--out <dir>", "run dir").option("--json", "json").exitOverride();
      registerTrainSupernetCommand(p);
      return p.parseAsync(
        ["--out", out, "train-supernet", "--task", path, "--epochs", "1", "--limit", "64"]
          .concat(["--random", "1", "--watch", "1", "--teacher", model]),
        { from: "user" },
      );
    };
    console.log = () => {};
    console.error = () => {};
    await run(`${dir}/cli`, `${dir}/teacher.onnx`);
    const report = JSON.parse(await Deno.readTextFile(`${dir}/cli/train-supernet.json`));
    assert.deepEqual(report.body.hyperParameters.teacher, {
      model: `${dir}/teacher.onnx`,
      sha256: await modelKey(teacher.bytes),
    });
    await assert.rejects(
      () => run(`${dir}/cli2`, `${dir}/missing.onnx`),
      (e: Error) =>
        e instanceof AdaspringError && /missing\.onnx: model file not found/.test(e.message),
    );
  } finally {
    console.log = log;
    console.error = err;
    await Deno.remove(dir, { recursive: true });
  }
});
