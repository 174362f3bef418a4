import assert from "node:assert/strict";
import { join } from "node:path";
import { AdaspringError, ExitCode } from "../../lib/errors.ts";
import { fitLength, groupKey, readClip, scanWavFolder } from "../../lib/data/sound/folder.ts";
import { loadSound } from "../../lib/data/sound/mod.ts";
import { soundOptionsSchema } from "../../lib/data/sound/schema.ts";
import { createRng } from "../../lib/util/rng.ts";
import { type FixtureFile, tone, writeWavFolder } from "./fixtures_sound.ts";

async function rejectsWith(promise: Promise<unknown>, ...parts: string[]): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof AdaspringError, `expected AdaspringError, got ${err}`);
    assert.equal(err.exitCode, ExitCode.badInput);
    for (const p of parts) assert.ok(err.message.includes(p), `"${p}" not in: ${err.message}`);
    return true;
  });
}

/** A Speech-Commands-like tree: two words by two speakers, plus files to be ignored. */
async function speechCommands(root: string): Promise<string> {
  const files: FixtureFile[] = [
    { cls: "yes", name: "aaaa1111_nohash_0.wav", channels: [tone(500, 16000, 16000)], rate: 16000 },
    { cls: "yes", name: "bbbb2222_nohash_0.wav", channels: [tone(500, 16000, 8000)], rate: 16000 },
    { cls: "no", name: "aaaa1111_nohash_0.wav", channels: [tone(2000, 8000, 8000)], rate: 8000 },
    {
      cls: "no",
      name: "aaaa1111_nohash_1.wav",
      channels: [tone(2000, 16000, 20000), tone(2000, 16000, 20000)], // stereo, 1.25 s
      rate: 16000,
      encoding: { kind: "pcm", bits: 24 },
    },
    { cls: "_background_noise_", name: "white.wav", channels: [tone(50, 16000, 100)], rate: 16000 },
  ];
  await writeWavFolder(root, files);
  await Deno.writeTextFile(join(root, "yes", "README.txt"), "not audio");
  await Deno.writeTextFile(join(root, "LICENSE"), "CC-BY-4.0");
  return root;
}

Deno.test("groupKey: Speech Commands speakers, ESC-50 source clips, else the file", () => {
  assert.equal(groupKey("yes", "0a7c2a8d_nohash_0.wav"), "speaker:0a7c2a8d");
  assert.equal(groupKey("no", "0a7c2a8d_nohash_3.WAV"), "speaker:0a7c2a8d");
  assert.equal(groupKey("dog", "1-100032-A-0.wav"), "clip:100032");
  assert.equal(groupKey("dog", "5-100032-B-0.wav"), "clip:100032");
  assert.equal(groupKey("dog", "bark_01.wav"), "file:dog/bark_01.wav");
});

Deno.test("scanWavFolder: sorted classes, ignored extras, speaker groups across classes", async () => {
  const root = await speechCommands(await Deno.makeTempDir());
  const folder = await scanWavFolder(root);
  assert.deepEqual(folder.classes, ["no", "yes"]);
  assert.deepEqual(folder.files.map((f) => f.slice(root.length + 1)), [
    "no/aaaa1111_nohash_0.wav",
    "no/aaaa1111_nohash_1.wav",
    "yes/aaaa1111_nohash_0.wav",
    "yes/bbbb2222_nohash_0.wav",
  ]);
  assert.deepEqual([...folder.labels], [0, 0, 1, 1]);
  const g = folder.groups;
  assert.ok(g[0] === g[1] && g[1] === g[2] && g[2] !== g[3], `groups ${[...g]}`);
  assert.deepEqual(folder.groupCounts, { speaker: 2, clip: 0, file: 0 });
  await Deno.remove(root, { recursive: true });
});

Deno.test("readClip: resamples, mixes stereo, pads and trims to the clip length", async () => {
  const root = await speechCommands(await Deno.makeTempDir());
  const short = await readClip(join(root, "yes", "bbbb2222_nohash_0.wav"), 16000, 16000);
  assert.equal(short.length, 16000);
  assert.ok(short.subarray(8000).every((v) => v === 0), "padded with zeros at the end");
  const upsampled = await readClip(join(root, "no", "aaaa1111_nohash_0.wav"), 16000, 16000);
  // 8 kHz file of 1 s -> 16000 samples of the same 2 kHz tone.
  const ref = tone(2000, 16000, 16000);
  let err = 0;
  for (let i = 200; i < 15800; i++) err = Math.max(err, Math.abs(upsampled[i] - ref[i]));
  assert.ok(err < 0.01, `resampled tone differs by ${err}`);
  const stereo = await readClip(join(root, "no", "aaaa1111_nohash_1.wav"), 16000, 16000);
  assert.equal(stereo.length, 16000); // 1.25 s trimmed to 1 s, from the start
  assert.ok(Math.abs(stereo[4] - ref[4]) < 1e-5);
  assert.deepEqual([...fitLength(Float32Array.of(1, 2, 3), 2)], [1, 2]);
  await Deno.remove(root, { recursive: true });
});

Deno.test("loadSound (folder): real provenance, log-mel shape, labels and groups", async () => {
  const base = await Deno.makeTempDir();
  await speechCommands(join(base, "sc"));
  const spec = soundOptionsSchema.parse({ source: "sound", path: "sc" });
  const raw = await loadSound(spec, { rng: createRng(0), baseDir: base });
  assert.equal(raw.provenance, "real");
  assert.deepEqual(raw.classes, ["no", "yes"]);
  assert.deepEqual(raw.inputShape, [1, 40, 101]);
  assert.equal(raw.samples.x.length, 4 * 40 * 101);
  assert.deepEqual([...raw.samples.y], [0, 0, 1, 1]);
  assert.equal(new Set(raw.samples.groups).size, 2);
  assert.ok(raw.source.includes("2 speakers"));
  assert.ok(raw.samples.x.every(Number.isFinite));
  // The 2 kHz "no" clips and 500 Hz "yes" clips peak in different mel bands.
  const peakBand = (i: number) => {
    const col = Array.from({ length: 40 }, (_, m) => raw.samples.x[i * 4040 + m * 101 + 50]);
    return col.indexOf(Math.max(...col));
  };
  assert.ok(peakBand(0) > peakBand(2), `bands ${peakBand(0)} vs ${peakBand(2)}`);
  await Deno.remove(base, { recursive: true });
});

Deno.test("WAV folder errors: missing root, too few classes, empty class, corrupt file", async () => {
  const base = await Deno.makeTempDir();
  await rejectsWith(scanWavFolder(join(base, "nope")), join(base, "nope"), "one subfolder");
  await writeWavFolder(join(base, "one"), [
    { cls: "only", name: "a.wav", channels: [tone(1, 8000, 8)], rate: 8000 },
  ]);
  await rejectsWith(scanWavFolder(join(base, "one")), "found 1 class", "at least 2");
  await Deno.mkdir(join(base, "one", "empty"));
  await rejectsWith(scanWavFolder(join(base, "one")), join(base, "one", "empty"), "no .wav");
  await Deno.writeFile(join(base, "one", "empty", "bad.wav"), new TextEncoder().encode("nope"));
  const spec = soundOptionsSchema.parse({ source: "sound", path: join(base, "one") });
  await rejectsWith(
    loadSound(spec, { rng: createRng(0), baseDir: "." }),
    join(base, "one", "empty", "bad.wav"),
    "not a WAV file",
  );
  await Deno.remove(base, { recursive: true });
});
