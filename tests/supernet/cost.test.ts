import assert from "node:assert/strict";
import { AdaspringError } from "../../lib/errors.ts";
import { parseConfigId } from "../../lib/supernet/config_id.ts";
import { convOutSize, subnetCost } from "../../lib/supernet/cost.ts";
import { enumerateConfigs, sampleConfig, spaceSize } from "../../lib/supernet/enumerate.ts";
import { largestConfig, smallestConfig } from "../../lib/supernet/extremes.ts";
import { createRng } from "../../lib/util/rng.ts";
import { shippedSpaces, tinySpace } from "./fixtures.ts";

// A 1-block 2-D space: input [1, 8, 8]; stem 1 -> 4 channels, 3x3, stride 1 (8x8 = 64 positions);
// block 4 -> 16 channels (8 at width .5), 3x3, stride 2 (4x4 = 16 positions); 3 classes.
const tiny2d = () =>
  tinySpace({
    kind: "conv2d",
    stem: { channels: 4, kernel: 3, stride: 1 },
    blocks: [{ channels: 16, kernel: 3, stride: 2 }],
  }, { width: [1, 0.5], fire: { squeeze: 0.25 }, lowRank: { ranks: [0.5] } });
const input2d = { inputShape: [1, 8, 8], numClasses: 3 };
// Shared by every configuration of tiny2d at width .5: stem 1*4*9 weights + 4 biases, 36 * 64
// MACs; head 8*3 weights + 3 biases, 24 MACs.
const STEM = { params: 40, macs: 2304 }, HEAD = { params: 27, macs: 24 };

Deno.test("cost by hand: plain conv", () => {
  const space = tiny2d();
  const cost = subnetCost(space, parseConfigId(space, "b0:conv-w.5"), input2d);
  // Block: 4*8*9 = 288 weights + 8 biases; 288 * 16 MACs.
  assert.equal(cost.params, STEM.params + 296 + HEAD.params);
  assert.equal(cost.macs, STEM.macs + 4608 + HEAD.macs);
  assert.equal(cost.flops, 2 * cost.macs);
  assert.equal(cost.weightBytesFloat32, 4 * 363);
  // int8: weights 1 byte + one float scale per output channel + float biases.
  // stem 36 + 16 + 16; block 288 + 32 + 32; head 24 + 12 + 12.
  assert.equal(cost.weightBytesInt8, 68 + 352 + 48);
  assert.equal(cost.weightBytes, cost.weightBytesFloat32, "float config");
  // Peak: stem 64 + 256; block 256 + 8*16 = 384 floats; head 128 + 8.
  assert.equal(cost.peakActivationBytes, 4 * 384);
  assert.deepEqual(cost.parts.map((p) => [p.name, p.outShape]), [
    ["stem", [4, 8, 8]],
    ["b0", [8, 4, 4]],
    ["head", [3]],
  ]);
  const q8 = subnetCost(space, parseConfigId(space, "b0:conv-w.5|q8"), input2d);
  assert.equal(q8.weightBytes, 468);
});

Deno.test("cost by hand: depthwise-separable, fire, low-rank", () => {
  const space = tiny2d();
  const block = (id: string) => subnetCost(space, parseConfigId(space, id), input2d).parts[1];
  // dw: 3x3 depthwise on 4 ch, stride 2: 36 w + 4 b, 36*16 MACs; pointwise 4 -> 8: 32 w + 8 b,
  // 32*16 MACs. Peak: 256 in + 64 depthwise out.
  const dw = block("b0:dw-w.5");
  assert.deepEqual([dw.params, dw.macs, dw.peakActivationBytes], [80, 1088, 4 * 320]);
  assert.equal(dw.weightBytesInt8, (36 + 16 + 16) + (32 + 32 + 32));
  // fire: squeeze 4 -> round(.25 * 8) = 2 at 8x8: 8 w + 2 b, 8*64 MACs; expand 1x1 2 -> 4 and
  // 3x3 2 -> 4 at stride 2: 8 w + 4 b, 8*16 MACs; 72 w + 4 b, 72*16 MACs.
  // Peak: 256 in + 2*64 squeezed.
  const fire = block("b0:fire-w.5");
  assert.deepEqual([fire.params, fire.macs, fire.peakActivationBytes], [98, 1792, 4 * 384]);
  // low-rank at .5: full rank min(8, 4*9) = 8, r = 4. 3x3 4 -> 4 stride 2 without bias: 144 w,
  // 144*16 MACs; 1x1 4 -> 8: 32 w + 8 b, 32*16 MACs.
  const lr = block("b0:lr.5-w.5");
  assert.deepEqual([lr.params, lr.macs], [184, 2816]);
  assert.equal(lr.weightBytesInt8, (144 + 16) + (32 + 32 + 32));
});

Deno.test("cost by hand: 1-D with a residual block and a skip", () => {
  // Input [2, 10]; stem 2 -> 4, k3 (L 10); b0 residual 4 -> 4, k3; b1 4 -> 8, k5, stride 2
  // (L = floor((10 + 4 - 5) / 2) + 1 = 5); 3 classes.
  const space = tinySpace({
    kind: "conv1d",
    stem: { channels: 4, kernel: 3 },
    blocks: [{ channels: 4, kernel: 3, optional: true }, { channels: 8, kernel: 5, stride: 2 }],
  });
  const input = { inputShape: [2, 10], numClasses: 3 };
  const full = subnetCost(space, parseConfigId(space, "b0:dw|b1:conv-w1"), input);
  // stem 24 w + 4 b, 240 MACs; b0 depthwise 12 w + 4 b (120 MACs) and pointwise 16 w + 4 b
  // (160 MACs); b1 160 w + 8 b, 160*5 MACs; head 24 w + 3 b, 24 MACs.
  assert.equal(full.params, 28 + 36 + 168 + 27);
  assert.equal(full.macs, 240 + 280 + 800 + 24);
  // Peak inside b0: depthwise out 40 + pointwise out 40 + the block input 40 held for the add.
  assert.equal(full.parts[1].peakActivationBytes, 4 * 120);
  assert.equal(full.peakActivationBytes, 4 * 120);
  const skipped = subnetCost(space, parseConfigId(space, "b0:skip|b1:conv-w1"), input);
  assert.equal(skipped.params, 28 + 168 + 27);
  assert.equal(skipped.macs, 240 + 800 + 24);
  assert.equal(skipped.peakActivationBytes, 4 * 80);
  assert.deepEqual(skipped.parts[2].inShape, [4, 10]);
  assert.deepEqual(skipped.parts[2].outShape, [8, 5]);
});

Deno.test("'same' padding output sizes", () => {
  assert.equal(convOutSize(28, 3, 1), 28);
  assert.equal(convOutSize(28, 3, 2), 14);
  assert.equal(convOutSize(7, 3, 2), 4);
  assert.equal(convOutSize(128, 5, 2), 64);
  assert.equal(convOutSize(1, 3, 2), 1);
});

Deno.test("largest and smallest bound params and MACs over a sample of every shipped task", async () => {
  for (const { name, space, input } of await shippedSpaces()) {
    const big = subnetCost(space, largestConfig(space), input);
    const small = subnetCost(space, smallestConfig(space), input);
    const rng = createRng(2).fork(name);
    for (let i = 0; i < 1000; i++) {
      const c = subnetCost(space, sampleConfig(space, rng), input);
      for (const key of ["params", "macs", "weightBytes"] as const) {
        assert.ok(c[key] <= big[key], `${name}: ${key} ${c[key]} above the largest ${big[key]}`);
      }
      for (const key of ["params", "macs"] as const) {
        assert.ok(
          c[key] >= small[key],
          `${name}: ${key} ${c[key]} below the smallest ${small[key]}`,
        );
      }
      assert.ok(c.weightBytesInt8 < c.weightBytesFloat32);
    }
  }
});

Deno.test("a wrong input shape is a clear error", () => {
  const space = tiny2d();
  assert.throws(
    () => subnetCost(space, largestConfig(space), { inputShape: [3, 128], numClasses: 3 }),
    (err: unknown) =>
      err instanceof AdaspringError &&
      /\[3, 128\] does not fit a conv2d.*\[C, H, W\]/.test(err.message),
  );
  assert.throws(
    () => subnetCost(space, largestConfig(space), { inputShape: [1, 8, 8], numClasses: 0 }),
    /numClasses must be a positive integer/,
  );
});

Deno.test("largest and smallest are the exact params/MACs extremes of the whole sensor space", async () => {
  const { space, input } = (await shippedSpaces()).find((s) => s.name === "sensor")!;
  const big = subnetCost(space, largestConfig(space), input);
  const small = subnetCost(space, smallestConfig(space), input);
  let n = 0;
  for (const config of enumerateConfigs(space)) {
    const c = subnetCost(space, config, input);
    for (const key of ["params", "macs"] as const) {
      assert.ok(c[key] <= big[key] && c[key] >= small[key], `${key} of config ${n}`);
    }
    // int8 bytes are not bounded below by the smallest: see smallestConfig's doc.
    assert.ok(c.weightBytes <= big.weightBytes, `weight bytes of config ${n}`);
    n++;
  }
  assert.equal(BigInt(n), spaceSize(space));
});
