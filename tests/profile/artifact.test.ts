import assert from "node:assert/strict";
import {
  assertFresh,
  PROFILE_SCHEMA_VERSION,
  type ProfileArtifact,
  readProfile,
  writeProfile,
} from "../../lib/profile/artifact.ts";
import { writePredictionPlots } from "../../lib/profile/plots.ts";
import { modeled } from "../../lib/report/provenance.ts";

function sample(): ProfileArtifact {
  const point = { id: "b0:conv-w1", measured: 1, predicted: 1.05, heldOut: true };
  return {
    schemaVersion: PROFILE_SCHEMA_VERSION,
    task: { name: "mnist", configHash: "aa" },
    supernet: { weightsHash: "bb", derivation: "svd" },
    platform: { name: "pi4", path: "configs/platforms/pi4.yaml", hash: "cc", latency: "modeled" },
    lut: {
      source: "synthetic",
      protocol: { warmup: 5, repeats: 20, trim: 0.1 },
      entries: { stem: { count: 16, mean: 0.1, var: 0.001, median: 0.1 } },
    },
    latencyValidation: {
      correction: { slope: 1, perUnit: -0.01, intercept: 0.02 },
      trainCount: 28,
      raw: { rmspe: 12, within10: 0.4, n: 12 },
      corrected: { rmspe: 3, within10: 1, n: 12 },
      points: [point],
    },
    calibration: {
      efficiency: { conv: 0.3 },
      overheadMs: 0.02,
      hostPeakGflops: 41.5,
      hostClockGhz: 2.6,
      samples: 100,
      fitRmspe: 8,
    },
    accuracyPredictor: {
      model: {
        kind: "ridge",
        lambda: 0.1,
        featureNames: ["int8"],
        weights: [-0.01],
        intercept: 0.9,
      },
      quality: { kendallTau: 0.8, spearman: 0.9, rmse: 0.01, n: 20, splitHalfTau: 0.7 },
      points: [point],
    },
    pareto: {
      configurations: 576000,
      timingsMs: { evaluate: 70, filter: 400 },
      front: [{
        index: 0,
        id: "b0:conv-w1",
        accuracy: modeled(0.98, "fraction", "ridge"),
        latency: modeled(1.2, "ms", "LUT"),
        energy: modeled(6, "mJ", "pi4"),
        weightBytes: modeled(1000, "B", "cost"),
      }],
    },
  };
}

Deno.test("a profile round-trips through JSON with validation", async () => {
  const dir = await Deno.makeTempDir();
  await writeProfile(`${dir}/profile.json`, sample());
  assert.deepEqual(await readProfile(`${dir}/profile.json`), sample());
});

Deno.test("a malformed or old profile is refused with its path and the fix", async () => {
  const dir = await Deno.makeTempDir();
  const bad = { ...sample(), pareto: { ...sample().pareto, configurations: "many" } };
  await Deno.writeTextFile(`${dir}/p.json`, JSON.stringify(bad));
  await assert.rejects(
    readProfile(`${dir}/p.json`),
    /p\.json: invalid profile at pareto\.configurations.*re-run profile/,
  );
  await Deno.writeTextFile(`${dir}/old.json`, JSON.stringify({ ...sample(), schemaVersion: 0 }));
  await assert.rejects(readProfile(`${dir}/old.json`), /schema version 0.*re-run profile/);
});

Deno.test("a stale profile (task or weights changed) is refused", () => {
  const p = sample();
  assertFresh(p, { taskConfigHash: "aa", supernetWeightsHash: "bb", platformHash: "cc" }, "p.json");
  assert.throws(
    () => assertFresh(p, { taskConfigHash: "aa", supernetWeightsHash: "XX" }, "p.json"),
    /p\.json is stale: the supernet weights changed.*Re-run profile for task mnist on platform pi4/,
  );
  assert.throws(
    () => assertFresh(p, { taskConfigHash: "XX", supernetWeightsHash: "bb" }, "p.json"),
    /task config of mnist changed/,
  );
});

Deno.test("predicted-vs-measured plots are written as SVG and PNG", async () => {
  const dir = await Deno.makeTempDir();
  const pts = [{ measured: 1, predicted: 1.1, heldOut: false }, {
    measured: 2,
    predicted: 1.9,
    heldOut: true,
  }];
  const written = await writePredictionPlots(dir, { latency: pts, accuracy: pts });
  assert.equal(written.length, 2);
  for (const p of written) {
    assert.match(await Deno.readTextFile(`${p}.svg`), /predicted/);
    assert.ok((await Deno.stat(`${p}.png`)).size > 1000);
  }
});
