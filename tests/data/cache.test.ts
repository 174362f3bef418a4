import assert from "node:assert/strict";
import { join } from "node:path";
import { datasetSchema } from "../../lib/config/dataset.ts";
import { readCache, removeStaleTemps, tensorChecksum, writeCache } from "../../lib/data/cache.ts";
import { prepareDataset } from "../../lib/data/prepare.ts";
import type { PreparedDataset } from "../../lib/data/types.ts";
import { sensorCsv } from "./fixtures.ts";

/** A task dir with a small sensor CSV, and a spec that reads it. */
async function sensorFixture() {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "s.csv"), sensorCsv(3, 256, { 1: [40, 60], 3: [200, 220] }));
  const spec = datasetSchema.parse({ source: "sensor", path: "s.csv", block: 32 });
  return { dir, spec, cacheDir: join(dir, "cache") };
}

async function entries(dir: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

Deno.test("cache round trip: the second prepare reads identical tensors from the cache", async () => {
  const { dir, spec, cacheDir } = await sensorFixture();
  const opts = { seed: 5, baseDir: dir, cacheDir };
  const built = await prepareDataset("fx", spec, opts);
  assert.equal(built.fromCache, false);
  assert.ok(built.cacheDir.startsWith(join(cacheDir, "fx")));
  const read = await prepareDataset("fx", spec, opts);
  assert.equal(read.fromCache, true);
  assert.equal(read.cacheDir, built.cacheDir);
  assert.equal(read.checksum, built.checksum);
  for (const split of ["train", "val", "test"] as const) {
    assert.deepEqual(read[split], built[split]);
  }
  assert.deepEqual(read.normalization, built.normalization);
  assert.deepEqual(read.channelNames, ["humidity (%)", "temperature (°C)"]);
  assert.deepEqual(read.manifest.splits, built.manifest.splits);
  assert.equal(read.checksum, tensorChecksum(read));
  // another seed is another cache entry; force rebuilds the same entry
  const other = await prepareDataset("fx", spec, { ...opts, seed: 6 });
  assert.notEqual(other.cacheDir, built.cacheDir);
  const forced = await prepareDataset("fx", spec, { ...opts, force: true });
  assert.equal(forced.fromCache, false);
  assert.equal(forced.checksum, built.checksum);
});

Deno.test("a corrupt cache is detected, reported and rebuilt", async () => {
  const { dir, spec, cacheDir } = await sensorFixture();
  const warnings: string[] = [];
  const opts = { seed: 0, baseDir: dir, cacheDir, onWarning: (m: string) => warnings.push(m) };
  const built = await prepareDataset("fx", spec, opts);

  // one flipped byte in the training tensors
  const file = join(built.cacheDir, "train.x.f32");
  const bytes = await Deno.readFile(file);
  bytes[100] ^= 0xff;
  await Deno.writeFile(file, bytes);
  const rebuilt = await prepareDataset("fx", spec, opts);
  assert.equal(rebuilt.fromCache, false);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /corrupt \(checksum mismatch/);
  assert.ok(warnings[0].includes(built.cacheDir));
  assert.equal(rebuilt.checksum, built.checksum);
  assert.ok((await readCache(built.cacheDir)).ok);

  // a truncated file, then a missing manifest
  await Deno.writeFile(join(built.cacheDir, "val.y.i32"), new Uint8Array(3));
  await prepareDataset("fx", spec, opts);
  assert.match(warnings[1], /val\.y\.i32 has 3 bytes/);
  await Deno.remove(join(built.cacheDir, "manifest.json"));
  const again = await prepareDataset("fx", spec, opts);
  assert.match(warnings[2], /manifest\.json is missing/);
  assert.equal(again.checksum, built.checksum);
});

Deno.test("a failing loader leaves no cache directory", async () => {
  const { dir, cacheDir } = await sensorFixture();
  await Deno.writeTextFile(
    join(dir, "bad.csv"),
    "reading,mote_id,humidity,temperature,label\n1,1,x,2,0\n",
  );
  const spec = datasetSchema.parse({ source: "sensor", path: "bad.csv" });
  await assert.rejects(
    () => prepareDataset("fx", spec, { seed: 0, baseDir: dir, cacheDir }),
    /bad\.csv:2: column humidity/,
  );
  assert.deepEqual(await entries(join(cacheDir, "fx")), []);
});

Deno.test("an error while writing the cache leaves neither the cache nor a temp dir", async () => {
  const root = await Deno.makeTempDir();
  const empty = { x: new Float32Array(0), y: new Int32Array(0) };
  const base = {
    task: "t",
    provenance: "synthetic" as const,
    source: "test",
    inputShape: [2],
    classes: ["a"],
    train: { x: Float32Array.of(1, 2), y: Int32Array.of(0) },
    val: empty,
    test: empty,
    normalization: { mean: [0], std: [1] },
    seed: 0,
  };
  const ds: PreparedDataset = { ...base, checksum: tensorChecksum(base) };
  const target = join(root, "t", "k");
  // JSON.stringify throws on a BigInt: the manifest write fails after the tensors were written.
  await assert.rejects(
    () =>
      writeCache(target, ds, { key: "k", loaderVersion: "x@1", spec: { n: 1n }, timingsMs: {} }),
    TypeError,
  );
  assert.deepEqual(await entries(join(root, "t")), []);
  await writeCache(target, ds, { key: "k", loaderVersion: "x@1", spec: {}, timingsMs: {} });
  assert.deepEqual(await entries(join(root, "t")), ["k"]);
  assert.deepEqual(
    await entries(target),
    [
      "manifest.json",
      "train.x.f32",
      "train.y.i32",
      "test.x.f32",
      "test.y.i32",
      "val.x.f32",
      "val.y.i32",
    ].sort(),
  );
});

Deno.test("removeStaleTemps removes old temp dirs of interrupted builds, keeps young ones", async () => {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(join(root, ".tmp-old"));
  await Deno.mkdir(join(root, ".tmp-young"));
  await Deno.mkdir(join(root, "abc"));
  const hourAgo = new Date(Date.now() - 2 * 3_600_000);
  await Deno.utime(join(root, ".tmp-old"), hourAgo, hourAgo);
  assert.equal(await removeStaleTemps(root), 1);
  assert.deepEqual(await entries(root), [".tmp-young", "abc"]);
});
