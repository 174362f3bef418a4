import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { AdaspringError, ExitCode } from "../../lib/errors.ts";
import { parseIdx, readIdx, readIdxImages, readIdxLabels } from "../../lib/data/idx.ts";
import { encodeIdxU8 } from "./fixtures.ts";

/** Assert that `fn` rejects with a bad-input AdaspringError whose message matches all `parts`. */
async function rejectsWith(fn: () => Promise<unknown>, ...parts: (string | RegExp)[]) {
  await assert.rejects(fn, (err: unknown) => {
    assert.ok(err instanceof AdaspringError, `expected AdaspringError, got ${err}`);
    for (const p of parts) {
      if (typeof p === "string") {
        assert.ok(err.message.includes(p), `"${p}" not in: ${err.message}`);
      } else assert.match(err.message, p);
    }
    return true;
  });
}

Deno.test("parseIdx decodes uint8 images and big-endian int32", () => {
  const img = parseIdx(encodeIdxU8([2, 1, 2], [1, 2, 3, 4]), "img");
  assert.deepEqual(img.dims, [2, 1, 2]);
  assert.equal(img.dtype, "uint8");
  assert.deepEqual(Array.from(img.data), [1, 2, 3, 4]);
  // int32, 1 dim of 2: 0x01020304 and -2
  const bytes = new Uint8Array([0, 0, 0x0c, 1, 0, 0, 0, 2, 1, 2, 3, 4, 0xff, 0xff, 0xff, 0xfe]);
  const ints = parseIdx(bytes, "ints");
  assert.deepEqual(Array.from(ints.data), [0x01020304, -2]);
});

Deno.test("readIdx reads raw and gzipped files to the same values", async () => {
  const dir = await Deno.makeTempDir();
  const raw = encodeIdxU8([3, 2, 2], Array.from({ length: 12 }, (_, i) => i * 20));
  await Deno.writeFile(`${dir}/a-idx3-ubyte`, raw);
  await Deno.writeFile(`${dir}/a-idx3-ubyte.gz`, gzipSync(raw));
  const a = await readIdx(`${dir}/a-idx3-ubyte`);
  const b = await readIdx(`${dir}/a-idx3-ubyte.gz`);
  assert.deepEqual(a, b);
  const images = await readIdxImages(`${dir}/a-idx3-ubyte.gz`);
  assert.equal(images.count, 3);
  assert.equal(images.x[1], Math.fround(20 / 255));
});

Deno.test("a missing file names the file", async () => {
  await rejectsWith(
    () => readIdx("/nonexistent/train-images-idx3-ubyte"),
    "/nonexistent/train",
    "not found",
  );
});

Deno.test("a truncated file names the file, the sizes and the fix", async () => {
  const dir = await Deno.makeTempDir();
  const full = encodeIdxU8([4, 2, 2], new Array(16).fill(7));
  await Deno.writeFile(`${dir}/t`, full.subarray(0, full.length - 3));
  await rejectsWith(() => readIdx(`${dir}/t`), `${dir}/t`, "truncated", "4x2x2", "re-download");
  await Deno.writeFile(`${dir}/h`, full.subarray(0, 9)); // header cut inside the dims
  await rejectsWith(() => readIdx(`${dir}/h`), `${dir}/h`, "truncated IDX header");
  await Deno.writeFile(`${dir}/x`, new Uint8Array([...full, 1])); // trailing byte
  await rejectsWith(() => readIdx(`${dir}/x`), "trailing bytes");
});

Deno.test("a truncated gzip stream is reported as such", async () => {
  const dir = await Deno.makeTempDir();
  const gz = gzipSync(encodeIdxU8([100], new Array(100).fill(1)));
  await Deno.writeFile(`${dir}/l.gz`, gz.subarray(0, gz.length - 10));
  await rejectsWith(() => readIdx(`${dir}/l.gz`), `${dir}/l.gz`, "gzip");
});

Deno.test("a wrong magic number or dtype is rejected", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/png`, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
  await rejectsWith(() => readIdx(`${dir}/png`), `${dir}/png`, "not an IDX file", "89 50 4e 47");
  await Deno.writeFile(`${dir}/dt`, new Uint8Array([0, 0, 0x07, 1, 0, 0, 0, 0]));
  await rejectsWith(() => readIdx(`${dir}/dt`), "unknown IDX element type 0x7");
});

Deno.test("a label out of range names the file, the index and the range", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/labels`, encodeIdxU8([4], [0, 9, 10, 1]));
  await rejectsWith(
    () => readIdxLabels(`${dir}/labels`, 10),
    `${dir}/labels`,
    "label 10 at index 2",
    "0..9",
  );
  const err = await readIdxLabels(`${dir}/labels`, 10).catch((e) => e);
  assert.equal(err.exitCode, ExitCode.badInput);
});

Deno.test("swapped image and label files are detected", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/images`, encodeIdxU8([2, 2, 2], new Array(8).fill(0)));
  await Deno.writeFile(`${dir}/labels`, encodeIdxU8([2], [0, 1]));
  await rejectsWith(() => readIdxLabels(`${dir}/images`, 10), "swapped");
  await rejectsWith(() => readIdxImages(`${dir}/labels`), "swapped");
});
