// Checkpoint format round trip, corruption detection, and the optimizer and schedules.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { AdaspringError } from "../../lib/errors.ts";
import {
  type Checkpoint,
  decodeCheckpoint,
  encodeCheckpoint,
  isCheckpointMissing,
  readCheckpoint,
  settingsHash,
  writeCheckpoint,
} from "../../lib/train/checkpoint.ts";
import { createOptimizer } from "../../lib/train/optimizer.ts";
import { learningRate } from "../../lib/train/schedule.ts";
import { createRng } from "../../lib/util/rng.ts";

function sample(): Checkpoint {
  const rng = createRng(4);
  rng.next();
  return {
    architectureHash: "abc",
    configHash: "def",
    step: 12,
    epoch: 3,
    rng: rng.state(),
    params: { "conv.w": { shape: [2, 1, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) } },
    state: { "bn.mean": { shape: [2], data: new Float32Array([0.5, -0.5]) } },
    optimizer: {
      kind: "sgd",
      steps: 12,
      slots: { "conv.w/momentum": new Float32Array(6).fill(0.25) },
    },
    metrics: { bestValAccuracy: 0.9 },
  };
}

Deno.test("checkpoint: round trip keeps every field", () => {
  const c = sample();
  const d = decodeCheckpoint(encodeCheckpoint(c), "x.ckpt");
  assert.equal(d.epoch, 3);
  assert.equal(d.step, 12);
  assert.deepEqual(d.rng, c.rng);
  assert.deepEqual([...d.params["conv.w"].data], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(d.params["conv.w"].shape, [2, 1, 3]);
  assert.deepEqual([...d.state["bn.mean"].data], [0.5, -0.5]);
  assert.deepEqual([...d.optimizer.slots["conv.w/momentum"]], new Array(6).fill(0.25));
  assert.equal(d.metrics.bestValAccuracy, 0.9);
});

Deno.test("checkpoint: corruption and truncation are clear errors naming the file", () => {
  const bytes = encodeCheckpoint(sample());
  const flipped = bytes.slice();
  flipped[flipped.length - 3] ^= 0xff;
  assert.throws(
    () => decodeCheckpoint(flipped, "run/last.ckpt"),
    /run\/last\.ckpt: corrupt payload/,
  );
  assert.throws(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4), "c"), /truncated/);
  assert.throws(
    () => decodeCheckpoint(new TextEncoder().encode("hello world, not one"), "c"),
    /bad magic/,
  );
  const future = bytes.slice();
  new DataView(future.buffer).setUint32(8, 99, true);
  assert.throws(() => decodeCheckpoint(future, "c"), /version 99/);
});

/** The header, payload and version of encoded checkpoint bytes (format 2). */
function split(bytes: Uint8Array) {
  const hlen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(48, 48 + hlen)));
  const payload = bytes.subarray(48 + hlen + ((4 - (hlen % 4)) % 4));
  return { header, payload };
}

/** Checkpoint bytes of format `version` with this header and payload (a valid header hash). */
function build(header: unknown, payload: Uint8Array, version = 2): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const at = version === 1 ? 16 : 48;
  const start = at + h.length + ((4 - (h.length % 4)) % 4);
  const out = new Uint8Array(start + payload.length);
  out.set(new TextEncoder().encode("ADSPCKPT"));
  new DataView(out.buffer).setUint32(8, version, true);
  new DataView(out.buffer).setUint32(12, h.length, true);
  if (version !== 1) out.set(createHash("sha256").update(h).digest(), 16);
  out.set(h, at);
  out.set(payload, start);
  return out;
}

const badFile = (pattern: RegExp) => (e: unknown) =>
  e instanceof AdaspringError && e.exitCode === 3 && pattern.test(e.message) &&
  e.message.includes("c.ckpt");

Deno.test("checkpoint: an edited header fails its checksum", () => {
  const bytes = encodeCheckpoint(sample());
  const text = new TextDecoder().decode(bytes);
  for (const [from, to] of [['"epoch":3', '"epoch":2'], ['"shape":[2,1,3]', '"shape":[1,2,3]']]) {
    const at = text.indexOf(from);
    assert.ok(at > 0, from);
    const edited = bytes.slice();
    edited.set(new TextEncoder().encode(to), at);
    assert.throws(
      () => decodeCheckpoint(edited, "c.ckpt"),
      badFile(/corrupt or edited header \(SHA-256 mismatch\)/),
    );
  }
});

Deno.test("checkpoint: malformed headers are AdaspringErrors, not RangeError/TypeError", () => {
  const { header, payload } = split(encodeCheckpoint(sample()));
  const t0 = header.tensors[0];
  const cases: [string, unknown, RegExp][] = [
    ["null header", null, /malformed header/],
    ["tensor past the payload", {
      ...header,
      tensors: [{ ...t0, shape: [2, 1, 300] }],
    }, /tensor param conv\.w of shape \[2,1,300\].*does not fit/],
    ["unaligned offset", { ...header, tensors: [{ ...t0, offset: 2 }] }, /does not fit/],
    ["negative dimension", { ...header, tensors: [{ ...t0, shape: [-2, 1, 3] }] }, /shape/],
    ["no rng", { ...header, rng: undefined }, /malformed header \(rng:/],
    ["unknown optimizer", { ...header, optimizer: { kind: "lion", steps: 1 } }, /optimizer\.kind/],
    ["epoch as text", { ...header, epoch: "3" }, /epoch/],
    ["tensors not a list", { ...header, tensors: 7 }, /tensors/],
    ["duplicate tensor", { ...header, tensors: [t0, t0] }, /listed twice/],
    ["payload size lie", { ...header, payloadBytes: 1e12 }, /truncated/],
  ];
  for (const version of [1, 2]) {
    for (const [name, h, pattern] of cases) {
      const bytes = build(
        h === null ? null : { ...(h as object), version },
        payload,
        version,
      );
      assert.throws(
        () => decodeCheckpoint(bytes, "c.ckpt"),
        badFile(pattern),
        `v${version} ${name}`,
      );
    }
  }
});

Deno.test("checkpoint: format 1 files (no header hash) are still read", () => {
  const { header, payload } = split(encodeCheckpoint(sample()));
  const v1 = build({ ...header, version: 1 }, payload, 1);
  const d = decodeCheckpoint(v1, "old.ckpt");
  assert.equal(d.version, 1);
  assert.equal(d.epoch, 3);
  assert.deepEqual([...d.params["conv.w"].data], [1, 2, 3, 4, 5, 6]);
  assert.equal(decodeCheckpoint(encodeCheckpoint(sample()), "new.ckpt").version, 2);
});

Deno.test("readCheckpoint: other settings are refused naming what differs; missing is told apart", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const settings = { seed: 1, lr: 0.05, optimizer: { kind: "sgd", momentum: 0.9 } };
    await writeCheckpoint(`${dir}/last.ckpt`, {
      ...sample(),
      configHash: settingsHash(settings),
      settings,
    });
    const ok = await readCheckpoint(`${dir}/last.ckpt`, { settings: { ...settings } });
    assert.deepEqual(ok.settings, settings);
    await assert.rejects(
      () =>
        readCheckpoint(`${dir}/last.ckpt`, {
          settings: { ...settings, lr: 0.1, optimizer: { kind: "adam", momentum: 0.9 } },
        }),
      (e) =>
        e instanceof AdaspringError && e.exitCode === 3 &&
        e.message.includes(`${dir}/last.ckpt`) &&
        /other training settings/.test(e.message) &&
        e.message.includes("lr 0.05 in the checkpoint, 0.1 now") &&
        e.message.includes('optimizer.kind "sgd" in the checkpoint, "adam" now') &&
        e.message.includes("--seed") &&
        /another --out/.test(e.message),
    );
    await assert.rejects(() => readCheckpoint(`${dir}/none.ckpt`), (e) => {
      assert.ok(isCheckpointMissing(e));
      assert.match((e as Error).message, /none\.ckpt: no checkpoint there/);
      return true;
    });
    await Deno.writeTextFile(`${dir}/junk.ckpt`, "junk");
    await assert.rejects(() => readCheckpoint(`${dir}/junk.ckpt`), (e) => !isCheckpointMissing(e));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("optimizer: SGD momentum and Adam follow their update rules", () => {
  const sgd = createOptimizer({ kind: "sgd", momentum: 0.5, weightDecay: 0.1 });
  const p = { w: { shape: [1, 1], data: new Float32Array([1]) } };
  sgd.step(p, { w: new Float32Array([2]) }, 0.1); // v = 2 + 0.1*1 = 2.1; w = 1 - 0.21
  assert.ok(Math.abs(p.w.data[0] - 0.79) < 1e-6);
  sgd.step(p, { w: new Float32Array([0]) }, 0.1); // v = 1.05 + 0.079; w -= 0.1129
  assert.ok(Math.abs(p.w.data[0] - (0.79 - 0.1129)) < 1e-6);
  const adam = createOptimizer({ kind: "adam" });
  const q = { b: { shape: [1], data: new Float32Array([0]) } };
  adam.step(q, { b: new Float32Array([3]) }, 0.01); // first Adam step moves by ~lr * sign(g)
  assert.ok(Math.abs(q.b.data[0] + 0.01) < 1e-6);
  // AdamW: decoupled decay on rank >= 2 tensors only. First step: m_hat / sqrt(v_hat) = 1.
  const adamW = createOptimizer({ kind: "adam", weightDecay: 0.1 });
  const r = {
    w: { shape: [1, 1], data: new Float32Array([1]) },
    b: { shape: [1], data: new Float32Array([1]) },
  };
  adamW.step(r, { w: new Float32Array([3]), b: new Float32Array([3]) }, 0.01);
  assert.ok(Math.abs(r.w.data[0] - (1 - 0.01 * (1 + 0.1 * 1))) < 1e-6, `w ${r.w.data[0]}`);
  assert.ok(Math.abs(r.b.data[0] - 0.99) < 1e-6, `b ${r.b.data[0]} (no decay on a bias)`);
  const restored = createOptimizer({ kind: "adam" });
  restored.restore(adam.state(), adam.steps);
  assert.equal(restored.steps, 1);
});

Deno.test("schedules: warm-up, cosine, step, constant", () => {
  const s = { base: 1, totalSteps: 110, warmupSteps: 10 };
  assert.equal(learningRate({ ...s, kind: "cosine" }, 0), 0.1);
  assert.equal(learningRate({ ...s, kind: "cosine" }, 10), 1);
  assert.ok(Math.abs(learningRate({ ...s, kind: "cosine" }, 60) - 0.5) < 1e-12);
  assert.equal(learningRate({ ...s, kind: "step" }, 59), 1);
  assert.equal(learningRate({ ...s, kind: "step" }, 60), 0.1);
  assert.equal(learningRate({ ...s, kind: "step" }, 85), 0.01);
  assert.equal(learningRate({ ...s, kind: "constant" }, 100), 1);
});
