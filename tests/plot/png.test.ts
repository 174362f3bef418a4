import assert from "node:assert/strict";
import { crc32, encodePng, pngDataUri, pngInfo, type Raster } from "../../lib/plot/png.ts";
import { svgToPixels } from "../../lib/plot/render.ts";
import { rgbAt } from "./svg_check.ts";

function raster(width: number, height: number, channels: 1 | 3 | 4): Raster {
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + 11) % 256;
  return { width, height, channels, data };
}

Deno.test("crc32 matches the standard check value", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

Deno.test("encodePng writes the signature and an IHDR with size and colour type", () => {
  for (const [channels, colorType] of [[1, 0], [3, 2], [4, 6]] as const) {
    const png = encodePng(raster(7, 5, channels));
    assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
    assert.deepEqual(pngInfo(png), { width: 7, height: 5, bitDepth: 8, colorType });
    assert.equal(new TextDecoder().decode(png.subarray(png.length - 8, png.length - 4)), "IEND");
  }
});

Deno.test("encodePng is deterministic and rejects inconsistent sizes", () => {
  assert.deepEqual(encodePng(raster(4, 3, 3)), encodePng(raster(4, 3, 3)));
  assert.throws(
    () => encodePng({ width: 4, height: 3, channels: 3, data: new Uint8Array(10) }),
    /expected 36 bytes/,
  );
  assert.throws(() => encodePng({ width: 0, height: 3, channels: 1, data: new Uint8Array() }));
});

Deno.test("pngInfo rejects bytes that are not a PNG", () => {
  assert.throws(() => pngInfo(new Uint8Array(40)), /not a PNG/);
  const png = encodePng(raster(2, 2, 1));
  png[20] ^= 1; // corrupt the height: the IHDR CRC no longer matches
  assert.throws(() => pngInfo(png), /CRC/);
});

Deno.test("encoded PNGs round-trip through resvg pixel for pixel", async () => {
  for (const channels of [1, 3, 4] as const) {
    const src = raster(9, 6, channels);
    if (channels === 4) { for (let i = 3; i < src.data.length; i += 4) src.data[i] = 255; }
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"` +
      ` width="9" height="6"><image x="0" y="0" width="9" height="6"` +
      ` xlink:href="${pngDataUri(src)}"/></svg>`;
    const out = await svgToPixels(svg, { scale: 1 });
    assert.equal(out.width, 9);
    assert.equal(out.height, 6);
    for (let y = 0; y < 6; y++) {
      for (let x = 0; x < 9; x++) {
        const o = (y * 9 + x) * channels;
        const want = channels === 1
          ? [src.data[o], src.data[o], src.data[o]]
          : [src.data[o], src.data[o + 1], src.data[o + 2]];
        assert.deepEqual(rgbAt(out.data, 9, x, y), want, `channels ${channels} at (${x},${y})`);
      }
    }
  }
});
