import assert from "node:assert/strict";
import { AdaspringError, ExitCode } from "../../lib/errors.ts";
import { formatConfigId, parseConfigId } from "../../lib/supernet/config_id.ts";
import { sampleConfig } from "../../lib/supernet/enumerate.ts";
import { largestConfig, smallestConfig } from "../../lib/supernet/extremes.ts";
import type { SearchSpace } from "../../lib/supernet/space.ts";
import { createRng } from "../../lib/util/rng.ts";
import { shippedSpaces, tinySpace } from "./fixtures.ts";

Deno.test("ids round-trip exactly on sampled configurations of every shipped task", async () => {
  for (const { name, space } of await shippedSpaces()) {
    const rng = createRng(7).fork(name);
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const config = sampleConfig(space, rng);
      const id = formatConfigId(space, config);
      assert.deepEqual(parseConfigId(space, id), config, `${name}: ${id}`);
      assert.equal(formatConfigId(space, parseConfigId(space, id)), id);
      seen.add(id);
    }
    assert.ok(seen.size > 450, `${name}: ids of distinct configs must differ`);
    for (const c of [largestConfig(space), smallestConfig(space)]) {
      assert.deepEqual(parseConfigId(space, formatConfigId(space, c)), c);
    }
  }
});

Deno.test("ids read as documented", async () => {
  const mnist = (await shippedSpaces()).find((s) => s.name === "mnist")!.space;
  assert.equal(
    formatConfigId(mnist, largestConfig(mnist)),
    "b0:conv-w1|b1:conv|b2:conv-w1|b3:conv|b4:conv-w1",
  );
  const id = "b0:conv-w.75|b1:skip|b2:dw-w.5|b3:fire|b4:lr.25-w.5|q8";
  const config = parseConfigId(mnist, id);
  assert.equal(config.int8, true);
  const tokens = config.choices.map((c, i) => mnist.blocks[i].choices[c]);
  assert.deepEqual(tokens.map((t) => [t.op, t.width, t.rank]), [
    ["conv", 0.75, null],
    ["skip", null, null],
    ["dw", 0.5, null],
    ["fire", null, null],
    ["lowRank", 0.5, 0.25],
  ]);
});

function rejects(space: SearchSpace, id: string, pattern: RegExp): void {
  assert.throws(() => parseConfigId(space, id), (err: unknown) => {
    assert.ok(err instanceof AdaspringError, `expected AdaspringError for ${id}, got ${err}`);
    assert.equal(err.exitCode, ExitCode.badInput);
    assert.ok(err.message.includes(`"${id}"`), "the message quotes the id");
    assert.match(err.message, pattern);
    return true;
  });
}

Deno.test("invalid ids name the block, the token and what is allowed", async () => {
  const mnist = (await shippedSpaces()).find((s) => s.name === "mnist")!.space;
  const ok = ["b0:conv-w1", "b1:skip", "b2:dw-w.5", "b3:fire", "b4:lr.25-w.5"];
  const withBlock = (i: number, token: string) =>
    ok.map((t, j) => (j === i ? `b${i}:${token}` : t)).join("|");
  rejects(mnist, "", /the id is empty/);
  rejects(mnist, "  ", /the id is empty/);
  rejects(mnist, withBlock(4, "lr.3-w.5"), /block b4 token "lr\.3-w\.5": rank "\.3" is not in/);
  rejects(mnist, withBlock(4, "lr.3-w.5"), /allowed: conv\|dw\|fire\|lr\.5\|lr\.25 with -w1/);
  rejects(mnist, withBlock(0, "conv-w.3"), /block b0 token "conv-w\.3": width "w\.3" is not/);
  rejects(
    mnist,
    withBlock(0, "conv"),
    /block b0 token "conv": a width is missing, e\.g\. "conv-w1"/,
  );
  rejects(mnist, withBlock(0, "skip"), /block b0 is not optional, so it cannot be skipped/);
  rejects(mnist, withBlock(1, "dw-w.5"), /block b1 is optional \(residual\).*write "dw" without/);
  rejects(mnist, withBlock(1, "skip-w1"), /"skip" takes no width/);
  rejects(mnist, withBlock(2, "cnv-w1"), /block b2 token "cnv-w1": unknown operator "cnv"/);
  rejects(mnist, ok.slice(0, 4).join("|"), /names 4 of the 5 blocks; add b4/);
  rejects(mnist, [...ok, "b5:conv-w1"].join("|"), /block b5 does not exist.*b0\.\.b4/);
  rejects(mnist, [ok[0], ok[2], ok[1], ok[3], ok[4]].join("|"), /token 2 "b2:dw-w\.5" should be/);
  rejects(mnist, ["q8", ...ok].join("|"), /"q8" must come last/);
  rejects(mnist, [...ok, "f32"].join("|"), /token 6 "f32" is not a block token.*only flag is "q8"/);
  rejects(mnist, ok.join(","), /block b0 token "conv-w1,b1:.*": "," appears in no choice.*"\|"/);
});

Deno.test("choices outside the task's pool are reported as such", () => {
  const space = tinySpace(
    { kind: "conv1d", stem: { channels: 8 }, blocks: [{ channels: 8, optional: true }] },
    { depth: false, depthwise: false, fire: false, lowRank: false, int8: false },
  );
  rejects(space, "b0:conv|q8", /"q8" asks for int8 weights but operators\.int8 is false/);
  rejects(space, "b0:skip", /skipping is off \(operators\.depth is false\)/);
  rejects(space, "b0:dw", /depthwise operator is off \(operators\.depthwise is false\)/);
  rejects(space, "b0:fire", /fire operator is off/);
  rejects(space, "b0:lr.5", /low-rank operator is off/);
  assert.deepEqual(parseConfigId(space, "b0:conv"), { choices: [0], int8: false });
});

Deno.test("formatting rejects configurations that do not fit the space", () => {
  const space = tinySpace({ kind: "conv1d", stem: { channels: 4 }, blocks: [{ channels: 4 }] }, {
    int8: false,
  });
  assert.throws(() => formatConfigId(space, { choices: [99], int8: false }), /out of range/);
  assert.throws(() => formatConfigId(space, { choices: [0, 0], int8: false }), /needs 1 block/);
  assert.throws(() => formatConfigId(space, { choices: [0], int8: true }), /operators\.int8/);
});

Deno.test("the smallest mnist configuration is the one the module doc shows", async () => {
  const mnist = (await shippedSpaces()).find((s) => s.name === "mnist")!.space;
  // By hand at width .25 (b0: 16 -> 8, b2: 8 -> 16, b4: 16 -> 32; 3x3): fire has the fewest
  // weights in b0 (112 vs dw 272), depthwise in b2 (200 vs fire/lr 352) and b4 (656 vs 1408).
  assert.equal(
    formatConfigId(mnist, smallestConfig(mnist)),
    "b0:fire-w.25|b1:skip|b2:dw-w.25|b3:skip|b4:dw-w.25|q8",
  );
});
