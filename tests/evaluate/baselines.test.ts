import assert from "node:assert/strict";
import { loadTaskConfig } from "../../lib/config/task.ts";
import { HAND_CRAFTED, handCraftedBaselines } from "../../lib/evaluate/baselines.ts";
import { createSearchSpace, formatConfigId } from "../../lib/supernet/mod.ts";

Deno.test("hand-crafted baselines of mnist: every kind, as configurations of its space", async () => {
  const space = createSearchSpace((await loadTaskConfig("mnist")).config);
  const specs = handCraftedBaselines(space, { sparsity: 0.3 });
  assert.deepEqual(specs.map((s) => s.kind), [...HAND_CRAFTED]);
  const id = (k: string) => formatConfigId(space, specs.find((s) => s.kind === k)!.config!);
  assert.equal(id("backbone"), "b0:conv-w1|b1:conv|b2:conv-w1|b3:conv|b4:conv-w1");
  assert.equal(id("width-0.5"), "b0:conv-w.5|b1:conv|b2:conv-w.5|b3:conv|b4:conv-w.5");
  assert.equal(id("fire"), "b0:fire-w1|b1:fire|b2:fire-w1|b3:fire|b4:fire-w1");
  assert.equal(id("low-rank"), "b0:lr.5-w1|b1:lr.5|b2:lr.5-w1|b3:lr.5|b4:lr.5-w1");
  assert.equal(id("int8-ptq"), `${id("backbone")}|q8`);
  assert.equal(id("magnitude-prune"), id("backbone"));
  assert.match(specs.find((s) => s.kind === "magnitude-prune")!.label, /30%/);
});

Deno.test("a baseline the operator pool lacks is listed with the reason, not run", () => {
  const space = createSearchSpace({
    name: "nofire",
    model: {
      kind: "conv1d",
      stem: { channels: 8, kernel: 3, stride: 1 },
      blocks: [{ channels: 8, kernel: 3, stride: 1, optional: false }],
      dropout: 0,
    },
    operators: {
      width: [1, 0.75],
      depth: false,
      depthwise: true,
      fire: false,
      lowRank: false,
      int8: false,
    },
  } as never);
  const byKind = new Map(handCraftedBaselines(space).map((s) => [s.kind, s]));
  for (const k of ["width-0.5", "fire", "low-rank", "int8-ptq"] as const) {
    assert.equal(byKind.get(k)!.config, null, k);
    assert.ok(byKind.get(k)!.unavailable!.length > 10, k);
  }
  assert.ok(byKind.get("depthwise")!.config);
});
