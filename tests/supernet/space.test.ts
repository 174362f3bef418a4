import assert from "node:assert/strict";
import { AdaspringError } from "../../lib/errors.ts";
import { spaceSize } from "../../lib/supernet/enumerate.ts";
import { shippedSpaces, tinySpace } from "./fixtures.ts";

const MODEL = {
  kind: "conv2d" as const,
  stem: { channels: 8 },
  blocks: [{ channels: 16, stride: 2 }, { channels: 16, optional: true }],
};

Deno.test("every shipped task's space holds at least 10^4 configurations", async () => {
  for (const { name, space } of await shippedSpaces()) {
    const size = spaceSize(space);
    assert.ok(size >= 10_000n, `${name}: ${size} configurations`);
    // The size is the product of the per-block choice counts and the int8 flag.
    const product = space.blocks.reduce((p, b) => p * BigInt(b.choices.length), 1n);
    assert.equal(size, product * (space.int8 ? 2n : 1n), name);
  }
});

Deno.test("plain blocks choose operator x width; optional blocks choose operator or skip", () => {
  const space = tinySpace(MODEL);
  assert.deepEqual(space.widths, [1, 0.75, 0.5, 0.25]);
  assert.deepEqual(space.blocks[0].choices.map((c) => c.token), [
    ...["conv", "dw", "fire", "lr.5", "lr.25"].flatMap((op) =>
      ["w1", "w.75", "w.5", "w.25"].map((w) => `${op}-${w}`)
    ),
  ]);
  assert.deepEqual(space.blocks[1].choices.map((c) => c.token), [
    "conv",
    "dw",
    "fire",
    "lr.5",
    "lr.25",
    "skip",
  ]);
  assert.ok(space.blocks[1].choices.every((c) => c.width === null));
  assert.deepEqual(space.blocks[0].choices[19], {
    token: "lr.25-w.25",
    op: "lowRank",
    width: 0.25,
    rank: 0.25,
  });
});

Deno.test("the operator pool switches choices off", () => {
  const space = tinySpace(MODEL, {
    width: [0.5, 1, 0.5],
    depth: false,
    depthwise: false,
    fire: false,
    lowRank: false,
    int8: false,
  });
  assert.deepEqual(space.widths, [1, 0.5], "distinct, widest first");
  assert.deepEqual(space.blocks[0].choices.map((c) => c.token), ["conv-w1", "conv-w.5"]);
  assert.deepEqual(space.blocks[1].choices.map((c) => c.token), ["conv"], "no skip without depth");
  assert.equal(space.int8, false);
  assert.equal(spaceSize(space), 2n);
});

Deno.test("a zero low-rank fraction is rejected with the fix", () => {
  assert.throws(
    () => tinySpace(MODEL, { lowRank: { ranks: [0.5, 0] } }),
    (err: unknown) =>
      err instanceof AdaspringError && /operators\.lowRank\.ranks contains 0/.test(err.message),
  );
});
