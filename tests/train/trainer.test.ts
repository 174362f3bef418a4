// The trainer end to end on ORT-web: learning, exact resume, interruption, checkpoints,
// data-parallel gradient averaging.
import assert from "node:assert/strict";
import { nativeAvailable } from "../../lib/runtime/native.ts";
import { buildBackbone } from "../../lib/train/backbone.ts";
import { AdaspringError } from "../../lib/errors.ts";
import { architectureHash, readCheckpoint } from "../../lib/train/checkpoint.ts";
import { train, type TrainOptions } from "../../lib/train/trainer.ts";
import { textureData, textures } from "./_data.ts";

const spec = {
  kind: "conv2d" as const,
  stem: { channels: 4, kernel: 3, stride: 1 },
  blocks: [{ channels: 8, kernel: 3, stride: 2, optional: false }],
  dropout: 0,
};

function options(extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    forward: buildBackbone(spec, [1, 8, 8], 4, 0),
    data: textureData(),
    epochs: 2,
    batchSize: 16,
    lr: 0.05,
    optimizer: { kind: "sgd", momentum: 0.9, weightDecay: 1e-4 },
    schedule: "cosine",
    seed: 3,
    ...extra,
  };
}

Deno.test("trainer: loss falls and accuracy beats chance (4 classes) on generated data", async () => {
  const r = await train(options({ epochs: 3 }));
  assert.equal(r.epochs.length, 3);
  assert.ok(r.epochs[2].trainLoss < r.epochs[0].trainLoss * 0.8, JSON.stringify(r.epochs));
  assert.ok(r.bestValAccuracy > 0.75, `val accuracy ${r.bestValAccuracy}`);
  assert.ok(r.test!.accuracy > 0.75, `test accuracy ${r.test!.accuracy}`);
});

Deno.test("trainer: resume continues exactly; abort keeps the last good checkpoint", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const straight = await train(options({ outDir: `${dir}/a` }));
    // Interrupt run b during epoch 2, after epoch 1's checkpoint exists.
    const controller = new AbortController();
    let steps = 0;
    let before = new Uint8Array();
    const cut = await train(options({
      outDir: `${dir}/b`,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase !== "train" || p.epoch !== 2) return;
        if (++steps === 1) before = Deno.readFileSync(`${dir}/b/last.ckpt`);
        if (steps === 3) controller.abort();
      },
    }));
    assert.ok(cut.interrupted);
    assert.deepEqual(Deno.readFileSync(`${dir}/b/last.ckpt`), before, "last.ckpt untouched");
    const kept = await readCheckpoint(`${dir}/b/last.ckpt`);
    assert.equal(kept.epoch, 1);
    const resumed = await train(options({ outDir: `${dir}/b`, resume: true }));
    assert.equal(resumed.resumedFromEpoch, 1);
    const a = await readCheckpoint(`${dir}/a/last.ckpt`);
    const b = await readCheckpoint(`${dir}/b/last.ckpt`);
    assert.equal(b.epoch, 2);
    for (const [name, p] of Object.entries(a.params)) {
      assert.deepEqual([...b.params[name].data], [...p.data], `${name} differs after resume`);
    }
    assert.equal(resumed.epochs[0].trainLoss, straight.epochs[1].trainLoss);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("trainer: resuming with another architecture is a clear error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await train(options({ epochs: 1, outDir: dir }));
    const other = buildBackbone(
      { ...spec, stem: { channels: 6, kernel: 3, stride: 1 } },
      [1, 8, 8],
      4,
      0,
    );
    assert.notEqual(architectureHash(other), architectureHash(options().forward));
    await assert.rejects(
      () => train(options({ forward: other, outDir: dir, resume: true })),
      /another architecture/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("trainer: resume refuses other settings and a bad best.ckpt; more epochs are allowed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await train(options({ epochs: 1, outDir: dir, settings: { limit: 256 } }));
    const resume = (extra: Partial<TrainOptions>) =>
      train(options({ epochs: 1, outDir: dir, resume: true, settings: { limit: 256 }, ...extra }));
    const refused = (differs: string) => (e: unknown) =>
      e instanceof AdaspringError && e.exitCode === 3 && e.message.includes(`${dir}/last.ckpt`) &&
      /other training settings/.test(e.message) && e.message.includes(differs) &&
      /another --out/.test(e.message);
    await assert.rejects(() => resume({ seed: 4 }), refused("seed 3 in the checkpoint, 4 now"));
    await assert.rejects(() => resume({ batchSize: 32 }), refused("batchSize 16"));
    await assert.rejects(() => resume({ lr: 0.1 }), refused("lr 0.05 in the checkpoint, 0.1 now"));
    await assert.rejects(
      () => resume({ optimizer: { kind: "adam", momentum: 0.9, weightDecay: 1e-4 } }),
      refused('optimizer.kind "sgd" in the checkpoint, "adam" now'),
    );
    await assert.rejects(() => resume({ settings: { limit: 128 } }), refused("limit 256"));
    const fewer = { ...textureData(), train: textures(128, 0) };
    await assert.rejects(() => resume({ data: fewer }), refused("trainSamples 256"));
    // A corrupt best.ckpt is an error, not silently replaced by the last weights.
    const best = await Deno.readFile(`${dir}/best.ckpt`);
    await Deno.writeTextFile(`${dir}/best.ckpt`, "garbage");
    await assert.rejects(
      () => resume({}),
      (e) =>
        e instanceof AdaspringError && /best\.ckpt: not an adaspring checkpoint/.test(e.message),
    );
    await Deno.writeFile(`${dir}/best.ckpt`, best);
    // Extending the run is allowed, with a note that the schedule is recomputed.
    const warnings: string[] = [];
    const more = await resume({ epochs: 2, onWarning: (m) => warnings.push(m) });
    assert.equal(more.resumedFromEpoch, 1);
    assert.equal(more.epochs.length, 1);
    assert.match(warnings.join("\n"), /planned for 1 epochs with 2: the cosine learning-rate/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("trainer: two workers average to the same step as one worker (no BN)", async () => {
  // Without BN the per-worker means average exactly to the full-batch gradient.
  const noBn = (await import("./_nets.ts")).linearNet();
  const base = options({ forward: noBn, epochs: 1, optimizer: { kind: "adam" }, lr: 0.01 });
  const one = await train(base);
  const two = await train({ ...base, workers: 2 });
  for (const [name, p] of Object.entries(one.values)) {
    const q = two.values[name].data;
    p.data.forEach((v, i) => assert.ok(Math.abs(v - q[i]) < 1e-4, `${name}[${i}] ${v} vs ${q[i]}`));
  }
});

Deno.test("trainer: bad hyper-parameters are clear errors", async () => {
  await assert.rejects(() => train(options({ lr: -1 })), /learning rate/);
  await assert.rejects(() => train(options({ batchSize: 15, workers: 2 })), /split evenly/);
  await assert.rejects(() => train(options({ epochs: 0 })), /epochs/);
});

Deno.test({
  name: "trainer: the native backend (onnxruntime-node) runs the same artifacts as web",
  ignore: !nativeAvailable(), // optional install; needs --allow-ffi
  fn: async () => {
    const web = await train(options());
    const native = await train(options({ backend: "native" }));
    web.epochs.forEach((e, i) => {
      assert.ok(Math.abs(e.trainLoss - native.epochs[i].trainLoss) < 1e-4, `epoch ${i + 1} loss`);
    });
  },
});
