// Fire blocks join their expands by interleaving channels: channel 2i from the first input,
// 2i + 1 from the second, the first's extra channel last. Checked in 1-D and 2-D, on ORT too.
import assert from "node:assert/strict";
import { GraphBuilder } from "../../lib/onnx/graph.ts";
import { encodeModel } from "../../lib/onnx/proto/encode.ts";
import { evaluate } from "../../lib/onnx/reference/mod.ts";
import { openSession } from "../../lib/train/ort.ts";
import { interleaveChannels } from "../../lib/supernet/emit.ts";

/** value = 1000 * source + 100 * n + 10 * channel + position, so every element says where it is from. */
function tagged(source: number, n: number, c: number, positions: number) {
  return Float32Array.from(
    { length: n * c * positions },
    (_, i) => {
      const s = Math.floor(i / (c * positions)), ch = Math.floor(i / positions) % c;
      return 1000 * source + 100 * s + 10 * ch + (i % positions);
    },
  );
}

for (const [spatial, ca, cb] of [[[3], 2, 2], [[2, 2], 3, 2]] as const) {
  Deno.test(`interleaveChannels: ${ca} + ${cb} channels, spatial ${spatial.join("x")}`, async () => {
    const g = new GraphBuilder("il");
    const a = g.input("a", "float32", [2, ca, ...spatial]);
    const b = g.input("b", "float32", [2, cb, ...spatial]);
    g.output(interleaveChannels(a, b, "joined"), "y");
    const positions = spatial.reduce((p, d) => p * d, 1);
    const feeds = {
      a: {
        dtype: "float32" as const,
        shape: [2, ca, ...spatial],
        data: tagged(1, 2, ca, positions),
      },
      b: {
        dtype: "float32" as const,
        shape: [2, cb, ...spatial],
        data: tagged(2, 2, cb, positions),
      },
    };
    const expected: number[] = [];
    for (let n = 0; n < 2; n++) {
      for (let ch = 0; ch < ca + cb; ch++) {
        const [src, i] = ch < 2 * cb ? [ch % 2 === 0 ? 1 : 2, Math.floor(ch / 2)] : [1, cb];
        for (let p = 0; p < positions; p++) expected.push(1000 * src + 100 * n + 10 * i + p);
      }
    }
    const ref = evaluate(g.toGraph(), feeds).y;
    assert.deepEqual(ref.shape, [2, ca + cb, ...spatial]);
    assert.deepEqual([...ref.data], expected);
    const s = await openSession(encodeModel(g.toModel()));
    const got = await s.run(feeds, ["y"]);
    await s.release();
    assert.deepEqual([...got.y.data], expected);
  });
}

Deno.test("interleaveChannels refuses inputs whose channel counts differ by more than one", () => {
  const g = new GraphBuilder("bad");
  const a = g.input("a", "float32", [1, 4, 3]);
  const b = g.input("b", "float32", [1, 2, 3]);
  assert.throws(() => interleaveChannels(a, b, "x"), /4 and 2 channels/);
});
