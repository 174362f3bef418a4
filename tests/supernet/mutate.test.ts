import assert from "node:assert/strict";
import { formatConfigId } from "../../lib/supernet/config_id.ts";
import { sampleConfig } from "../../lib/supernet/enumerate.ts";
import {
  crossover,
  neighbourCount,
  neighbours,
  randomNeighbour,
} from "../../lib/supernet/mutate.ts";
import type { SubnetConfig } from "../../lib/supernet/space.ts";
import { createRng } from "../../lib/util/rng.ts";
import { shippedSpaces } from "./fixtures.ts";

/** Number of choices (block choices and the int8 flag) in which two configurations differ. */
const distance = (a: SubnetConfig, b: SubnetConfig) =>
  a.choices.filter((c, i) => c !== b.choices[i]).length + (a.int8 !== b.int8 ? 1 : 0);

Deno.test("neighbours differ in exactly one choice and are all distinct", async () => {
  for (const { name, space } of await shippedSpaces()) {
    const rng = createRng(3).fork(name);
    for (let t = 0; t < 20; t++) {
      const config = sampleConfig(space, rng);
      const ns = neighbours(space, config);
      assert.equal(ns.length, neighbourCount(space));
      for (const n of ns) assert.equal(distance(config, n), 1, name);
      assert.equal(new Set(ns.map((n) => formatConfigId(space, n))).size, ns.length);
    }
  }
});

Deno.test("randomNeighbour draws among the neighbours and reaches all of them", async () => {
  const { space } = (await shippedSpaces()).find((s) => s.name === "sensor")!;
  const rng = createRng(11);
  const config = sampleConfig(space, rng);
  const all = new Set(neighbours(space, config).map((n) => formatConfigId(space, n)));
  const hit = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const id = formatConfigId(space, randomNeighbour(space, config, rng));
    assert.ok(all.has(id), id);
    hit.add(id);
  }
  assert.equal(hit.size, all.size);
});

Deno.test("crossover takes every gene from one parent and is seeded", async () => {
  const { space } = (await shippedSpaces()).find((s) => s.name === "mnist")!;
  const rng = createRng(4);
  let fromA = 0, fromB = 0;
  for (let t = 0; t < 200; t++) {
    const a = sampleConfig(space, rng), b = sampleConfig(space, rng);
    const child = crossover(space, a, b, rng);
    child.choices.forEach((c, i) => {
      assert.ok(c === a.choices[i] || c === b.choices[i]);
      if (a.choices[i] !== b.choices[i]) c === a.choices[i] ? fromA++ : fromB++;
    });
    assert.ok(child.int8 === a.int8 || child.int8 === b.int8);
  }
  assert.ok(fromA > 0 && fromB > 0, "both parents contribute");
  const a = sampleConfig(space, createRng(1)), b = sampleConfig(space, createRng(2));
  assert.deepEqual(crossover(space, a, b, createRng(9)), crossover(space, a, b, createRng(9)));
});
