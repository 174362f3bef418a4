import assert from "node:assert/strict";
import { loadPlatformConfig } from "../../lib/config/platform.ts";
import { balancedProfile, balancedSection } from "../../lib/profile/balanced_profile.ts";
import { profileSchema } from "../../lib/profile/artifact.ts";
import { weightBytesObjective } from "../../lib/profile/pareto_space.ts";
import { sampleConfig } from "../../lib/supernet/enumerate.ts";
import { parseConfigId } from "../../lib/supernet/config_id.ts";
import { createRng } from "../../lib/util/rng.ts";
import { MNIST_INPUT, mnistSpace } from "./fixtures.ts";

const space = await mnistSpace();
const { config: platform, path } = await loadPlatformConfig("pi4");
// Bytes stand in for latency: any additive objective makes a front.
const paretoInput = {
  input: MNIST_INPUT,
  latency: weightBytesObjective(space, MNIST_INPUT),
  latencySource: "bytes as latency (test)",
  power: platform.power,
  platformPath: path,
};
// 390 validation windows, 13 of them the rare class (sensor's split).
const imbalanced = Int32Array.from({ length: 390 }, (_, i) => (i < 13 ? 1 : 0));
// Plain accuracy is the same everywhere (the majority answer); balanced accuracy depends on
// block 0: its even-numbered choices detect the rare class, the others do not.
const rng = createRng(3);
const samples = Array.from({ length: 80 }, () => {
  const config = sampleConfig(space, rng);
  return {
    config,
    accuracy: 377 / 390,
    halves: [377 / 390, 377 / 390] as [number, number],
    balancedAccuracy: config.choices[0] % 2 === 0
      ? 0.9 - 0.01 * rng.next()
      : 0.5 + 0.01 * rng.next(),
  };
});

Deno.test("balanced profile: on an imbalanced split its front leads with what detects the rare class", () => {
  const r = balancedProfile(space, samples, imbalanced, 2, createRng(0), paretoInput);
  assert.equal(r.kind, "fitted");
  if (r.kind !== "fitted") return;
  assert.ok(r.profile.predictor.quality.spearman > 0.5, `${r.profile.predictor.quality.spearman}`);
  const front = r.profile.pareto.front;
  const best = front.reduce((a, b) => (b.accuracy.value > a.accuracy.value ? b : a));
  assert.equal(parseConfigId(space, best.id).choices[0] % 2, 0);
  assert.ok(best.accuracy.value > 0.8, `${best.accuracy.value}`);
  assert.match(best.accuracy.source!, /balanced-accuracy predictor/);
  // The artifact section validates against the profile schema's `balanced` field.
  const section = balancedSection(r.profile);
  assert.ok(profileSchema.shape.balanced.safeParse(section).success);
});

Deno.test("balanced profile: skipped on a balanced split, and for measurements without balanced accuracy", () => {
  const even = Int32Array.from({ length: 390 }, (_, i) => i % 2);
  const balanced = balancedProfile(space, samples, even, 2, createRng(0), paretoInput);
  assert.deepEqual(balanced, { kind: "skipped", reason: "the validation split is balanced" });
  const old = samples.map((s, i) => (i < 5 ? { config: s.config } : s));
  const resumed = balancedProfile(space, old, imbalanced, 2, createRng(0), paretoInput);
  assert.equal(resumed.kind, "skipped");
  assert.match(resumed.kind === "skipped" ? resumed.reason : "", /^5 resumed .*without --resume/);
});
