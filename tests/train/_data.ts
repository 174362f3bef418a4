// A small generated image dataset for trainer tests: 8x8 noisy textures, one per class
// (horizontal stripes, vertical stripes, checkerboard, blank) with a random phase, so that
// only local patterns (conv) separate them after global average pooling.
import type { Samples } from "../../lib/data/types.ts";
import { createRng } from "../../lib/util/rng.ts";
import type { TrainData } from "../../lib/train/trainer.ts";

export function textures(n: number, seed: number): Samples {
  const rng = createRng(seed);
  const x = new Float32Array(n * 64);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(4);
    y[i] = c;
    const phase = rng.int(2);
    for (let p = 0; p < 64; p++) {
      const [r, col] = [p >> 3, p & 7];
      const on = [r + phase, col + phase, r + col + phase, 0][c] % 2 === 1;
      x[i * 64 + p] = (on ? 1 : 0) + 0.5 * rng.normal();
    }
  }
  return { x, y };
}

export function textureData(seed = 0): TrainData {
  return {
    inputShape: [1, 8, 8],
    classes: ["a", "b", "c", "d"],
    train: textures(256, seed),
    val: textures(64, seed + 1),
    test: textures(64, seed + 2),
  };
}
