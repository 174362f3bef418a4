import assert from "node:assert/strict";
import { formatConfigId } from "../../lib/supernet/config_id.ts";
import {
  configAt,
  enumerateConfigs,
  indexOfConfig,
  sampleConfig,
  spaceSize,
} from "../../lib/supernet/enumerate.ts";
import { createRng } from "../../lib/util/rng.ts";
import { shippedSpaces, tinySpace } from "./fixtures.ts";

// Block 0: (conv, dw, lr.5) x (w1, w.5) = 6 choices; block 1 (optional): conv, dw, lr.5, skip = 4;
// int8 flag: 2. So 6 * 4 * 2 = 48 configurations.
const small = () =>
  tinySpace(
    {
      kind: "conv1d",
      stem: { channels: 4 },
      blocks: [{ channels: 8 }, { channels: 8, optional: true }],
    },
    { width: [1, 0.5], fire: false, lowRank: { ranks: [0.5] } },
  );

Deno.test("counting equals enumeration on a small space", () => {
  const space = small();
  assert.equal(spaceSize(space), 48n);
  const all = [...enumerateConfigs(space)];
  assert.equal(all.length, 48);
  const ids = all.map((c) => formatConfigId(space, c));
  assert.equal(new Set(ids).size, 48, "every enumerated configuration is distinct");
  assert.equal(ids[0], "b0:conv-w1|b1:conv");
  assert.equal(ids[1], "b0:conv-w1|b1:conv|q8");
  assert.equal(ids[47], "b0:lr.5-w.5|b1:skip|q8");
});

Deno.test("configAt and indexOfConfig follow the enumeration order", () => {
  const space = small();
  let i = 0n;
  for (const config of enumerateConfigs(space)) {
    assert.deepEqual(configAt(space, i), config);
    assert.equal(indexOfConfig(space, config), i);
    i++;
  }
  assert.throws(() => configAt(space, 48n), RangeError);
  assert.throws(() => configAt(space, -1), RangeError);
});

Deno.test("counts stay exact beyond 2^53", () => {
  const blocks = Array.from({ length: 30 }, () => ({ channels: 8 }));
  const space = tinySpace({ kind: "conv1d", stem: { channels: 8 }, blocks });
  // 20 choices per block (5 operators x 4 widths), and the int8 flag.
  assert.equal(spaceSize(space), 20n ** 30n * 2n);
  const last = configAt(space, spaceSize(space) - 1n);
  assert.ok(last.choices.every((c) => c === 19) && last.int8);
  assert.equal(indexOfConfig(space, last), spaceSize(space) - 1n);
});

Deno.test("sampling is deterministic from the seed", async () => {
  const { space } = (await shippedSpaces())[0];
  const draw = (seed: number) => {
    const rng = createRng(seed);
    return Array.from({ length: 20 }, () => formatConfigId(space, sampleConfig(space, rng)));
  };
  assert.deepEqual(draw(5), draw(5));
  assert.notDeepEqual(draw(5), draw(6));
});

Deno.test("sampling covers every choice of every block, and both int8 values", async () => {
  for (const { name, space } of await shippedSpaces()) {
    const rng = createRng(1).fork(name);
    const counts = space.blocks.map((b) => new Array<number>(b.choices.length).fill(0));
    const int8 = [0, 0];
    const n = 4000;
    for (let i = 0; i < n; i++) {
      const c = sampleConfig(space, rng);
      c.choices.forEach((k, b) => counts[b][k]++);
      int8[c.int8 ? 1 : 0]++;
    }
    counts.forEach((perChoice, b) => {
      const expected = n / perChoice.length;
      perChoice.forEach((count, k) => {
        // Uniform: each choice near n / choices (well within 5 standard deviations).
        const sd = Math.sqrt(expected);
        assert.ok(Math.abs(count - expected) < 5 * sd, `${name} b${b} choice ${k}: ${count}`);
      });
    });
    assert.ok(int8[0] > 0 && int8[1] > 0, `${name}: int8 ${int8}`);
  }
});
