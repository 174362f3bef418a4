import assert from "node:assert/strict";
import { join } from "node:path";
import { datasetSchema } from "../../lib/config/dataset.ts";
import { AdaspringError, ExitCode } from "../../lib/errors.ts";
import { summarizeDataset } from "../../lib/data/describe.ts";
import { loadFashion, loadMnist } from "../../lib/data/images/mod.ts";
import { fashionOptionsSchema, mnistOptionsSchema } from "../../lib/data/images/schema.ts";
import { classificationMetrics } from "../../lib/data/metrics.ts";
import { prepareDataset } from "../../lib/data/prepare.ts";
import { createRng } from "../../lib/util/rng.ts";
import { writeIdxDir } from "./fixtures.ts";

const ctx = (baseDir: string) => ({ rng: createRng(0), baseDir });

Deno.test("datasetSchema dispatches on source, applies defaults, rejects unknown keys", () => {
  const m = datasetSchema.parse({ source: "mnist" });
  assert.deepEqual(m, { source: "mnist", split: { val: 0.1, test: 0.2 } });
  const s = datasetSchema.parse({ source: "sensor", split: { val: 0.2 } });
  assert.equal(s.source === "sensor" && s.window, 16);
  assert.deepEqual(s.split, { val: 0.2, test: 0.2 });
  const bad = (v: unknown) => datasetSchema.safeParse(v).success;
  assert.equal(bad({ source: "cifar" }), false);
  assert.equal(bad({ source: "mnist", window: 3 }), false); // a sensor key on mnist
  assert.equal(bad({ source: "mnist", split: { val: 0.4, test: 0.3 } }), false);
  assert.equal(bad({ source: "mnist", limit: 0 }), false);
  assert.equal(bad({ source: "har" }), true);
  assert.equal(bad({ source: "sound" }), true);
});

Deno.test("IDX image directories load raw or gzipped, keeping the official test set", async () => {
  for (const gzip of [false, true]) {
    const dir = await Deno.makeTempDir();
    await writeIdxDir(join(dir, "idx"), { n: 40, m: 10, gzip });
    const spec = mnistOptionsSchema.parse({ source: "mnist", path: "idx" });
    const raw = await loadMnist(spec, ctx(dir));
    assert.deepEqual(raw.inputShape, [1, 2, 3]);
    assert.equal(raw.samples.y.length, 40);
    assert.equal(raw.officialTest?.y.length, 10);
    const ds = await prepareDataset("idx", spec, {
      seed: 0,
      baseDir: dir,
      cacheDir: join(dir, "cache"),
    });
    assert.equal(ds.test.y.length, 10);
    // 10% of 40 for val, within one sample (tiny strata of 4 per class round)
    assert.ok(Math.abs(ds.val.y.length - 4) <= 1, `val ${ds.val.y.length}`);
    assert.equal(ds.train.y.length + ds.val.y.length, 40);
    // standardised on train: mean 0, std 1 over the training pixels
    const mean = ds.train.x.reduce((a, b) => a + b, 0) / ds.train.x.length;
    assert.ok(Math.abs(mean) < 1e-5, `train mean ${mean}`);
  }
});

Deno.test("missing IDX data says where and how to get it", async () => {
  const dir = await Deno.makeTempDir();
  const err = await loadFashion(
    fashionOptionsSchema.parse({ source: "fashion", path: "nowhere" }),
    ctx(dir),
  ).catch((e) => e);
  assert.ok(err instanceof AdaspringError);
  assert.equal(err.exitCode, ExitCode.missingDependency);
  assert.match(err.message, /nowhere does not exist/);
  // without dataset.path, the fix names the Debian package
  const noDebian = await loadFashion(
    fashionOptionsSchema.parse({ source: "fashion" }),
    ctx(dir),
    join(dir, "no-debian-package"),
  ).catch((e) => e);
  assert.equal(noDebian.exitCode, ExitCode.missingDependency);
  assert.match(noDebian.message, /apt-get install dataset-fashion-mnist/);
  assert.match(noDebian.message, /dataset\.path/);
  await writeIdxDir(join(dir, "partial"));
  await Deno.remove(join(dir, "partial", "t10k-labels-idx1-ubyte"));
  const err2 = await loadMnist(
    mnistOptionsSchema.parse({ source: "mnist", path: "partial" }),
    ctx(dir),
  )
    .catch((e) => e);
  assert.match(err2.message, /neither t10k-labels-idx1-ubyte nor t10k-labels-idx1-ubyte\.gz/);
  // labels that disagree with the image count
  await writeIdxDir(join(dir, "mismatch"), { n: 20 });
  await writeIdxDir(join(dir, "other"), { n: 21 });
  await Deno.copyFile(
    join(dir, "other", "train-labels-idx1-ubyte"),
    join(dir, "mismatch", "train-labels-idx1-ubyte"),
  );
  const err3 = await loadMnist(
    mnistOptionsSchema.parse({ source: "mnist", path: "mismatch" }),
    ctx(dir),
  )
    .catch((e) => e);
  assert.match(err3.message, /21 labels for 20 images/);
});

Deno.test("real data: MNIST (limit 300) prepares, and reads back from the cache", async () => {
  const cacheDir = await Deno.makeTempDir();
  const spec = datasetSchema.parse({ source: "mnist", limit: 300 });
  const opts = { seed: 0, baseDir: ".", cacheDir };
  const ds = await prepareDataset("mnist", spec, opts);
  assert.equal(ds.provenance, "real");
  assert.deepEqual(ds.inputShape, [1, 28, 28]);
  assert.deepEqual([ds.train.y.length, ds.val.y.length, ds.test.y.length], [300, 300, 300]);
  const summary = summarizeDataset(ds);
  for (const c of ds.classes) assert.ok(summary.splits.train.classCounts[c] > 10, c);
  // MNIST's known pixel statistics (0.1307, 0.3081), here from a 300-image training subset
  assert.ok(Math.abs(ds.normalization.mean[0] - 0.13) < 0.02, `${ds.normalization.mean}`);
  assert.ok(Math.abs(ds.normalization.std[0] - 0.31) < 0.02, `${ds.normalization.std}`);
  const again = await prepareDataset("mnist", spec, opts);
  assert.equal(again.fromCache, true);
  assert.equal(again.checksum, ds.checksum);
});

Deno.test("real data: sensor windows split by time block with anomalies in every split", async () => {
  const cacheDir = await Deno.makeTempDir();
  const spec = datasetSchema.parse({ source: "sensor" });
  const ds = await prepareDataset("sensor", spec, { seed: 0, baseDir: ".", cacheDir });
  const seen = new Map<number, string>();
  for (const split of ["train", "val", "test"] as const) {
    const { y, groups } = ds[split];
    assert.ok(groups, `${split} has groups`);
    for (const g of groups) {
      assert.ok(!seen.has(g) || seen.get(g) === split, `block ${g} leaks into ${split}`);
      seen.set(g, split);
    }
    assert.ok(y.some((v) => v === 1), `${split} has anomalous windows`);
  }
  const total = ds.train.y.length + ds.val.y.length + ds.test.y.length;
  assert.ok(Math.abs(ds.test.y.length / total - 0.2) < 0.03);
  // a constant "normal" predictor: high accuracy, chance balanced accuracy
  const m = classificationMetrics(ds.test.y, new Int32Array(ds.test.y.length), 2);
  assert.ok(m.accuracy > 0.95);
  assert.equal(m.balancedAccuracy, 0.5);
});
