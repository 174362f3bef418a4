import assert from "node:assert/strict";
import { type GridImage, imageGrid } from "../../lib/plot/images.ts";
import { svgToPixels } from "../../lib/plot/render.ts";
import { assertWellFormedSvg, imageBoxes, rgbAt } from "./svg_check.ts";

/** A 28x28 "digit": distinct per class, with a gradient so misplaced pixels are caught. */
function digit(k: number): Uint8Array {
  const pixels = new Uint8Array(28 * 28);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) pixels[y * 28 + x] = (x * 9 + y * 3 + k * 25) % 256;
  }
  return pixels;
}

function mnistLike(classes: number, perClass: number): GridImage[] {
  return Array.from({ length: classes * perClass }, (_, i) => ({
    pixels: digit(Math.floor(i / perClass)),
    height: 28,
    width: 28,
    label: `class ${Math.floor(i / perClass)}`,
  }));
}

Deno.test("imageGrid gives well-formed SVG with one image and caption per sample", () => {
  const svg = imageGrid(mnistLike(10, 8), { columns: 8, title: "MNIST <train>" });
  assertWellFormedSvg(svg);
  assert.equal(imageBoxes(svg).length, 80);
  for (let k = 0; k < 10; k++) assert.ok(svg.includes(`>class ${k}</text>`));
  assert.ok(svg.includes("MNIST &lt;train&gt;"));
});

Deno.test("imageGrid is deterministic", () => {
  const opts = { columns: 4, title: "t" };
  assert.equal(imageGrid(mnistLike(3, 4), opts), imageGrid(mnistLike(3, 4), opts));
});

Deno.test("imageGrid lays out rows of `columns` images at whole-pixel scale", () => {
  const boxes = imageBoxes(imageGrid(mnistLike(2, 5), { columns: 4, cellSize: 60 }));
  assert.equal(boxes.length, 10);
  for (const b of boxes) assert.deepEqual([b.width, b.height], [56, 56]); // 2x, not 60/28
  assert.equal(new Set(boxes.map((b) => b.y)).size, 3); // 10 images in rows of 4
  assert.equal(boxes[4].x, boxes[0].x);
  assert.ok(boxes[1].x > boxes[0].x && boxes[4].y > boxes[0].y);
});

Deno.test("resvg draws each sample's pixels exactly, upscaled without blur", async () => {
  const images = mnistLike(3, 2);
  const svg = imageGrid(images, { columns: 2, cellSize: 56 });
  const { width, data } = await svgToPixels(svg, { scale: 1 });
  for (const [i, box] of imageBoxes(svg).entries()) {
    const src = images[i].pixels as Uint8Array;
    for (let y = 0; y < box.height; y += 3) {
      for (let x = 0; x < box.width; x += 3) {
        const v = src[Math.floor(y / 2) * 28 + Math.floor(x / 2)];
        assert.deepEqual(
          rgbAt(data, width, box.x + x, box.y + y),
          [v, v, v],
          `image ${i} (${x},${y})`,
        );
      }
    }
  }
});

Deno.test("float pixels map min..max (or valueRange) to black..white", async () => {
  const pixels = new Float32Array([-1, 0, 1, 3]); // 2x2
  for (
    const [opts, want] of [
      [{}, [0, 64, 128, 255]],
      [{ valueRange: [0, 1] as [number, number] }, [0, 0, 255, 255]],
    ] as const
  ) {
    const svg = imageGrid([{ pixels, height: 2, width: 2, label: "f" }], {
      columns: 1,
      cellSize: 2,
      ...opts,
    });
    const [box] = imageBoxes(svg);
    const { width, data } = await svgToPixels(svg, { scale: 1 });
    const got = [[0, 0], [1, 0], [0, 1], [1, 1]].map(([x, y]) =>
      rgbAt(data, width, box.x + x, box.y + y)[0]
    );
    assert.deepEqual(got, want);
  }
});

Deno.test("RGB images are read planar (chw) by default, or interleaved (hwc)", async () => {
  const pixels = new Uint8Array([10, 20, 30, 40, 50, 60]); // 1 row x 2 columns x 3 channels
  const cases = [
    [undefined, [[10, 30, 50], [20, 40, 60]]], // planes R = [10, 20], G = [30, 40], B = [50, 60]
    ["hwc", [[10, 20, 30], [40, 50, 60]]], // pixels (10, 20, 30) and (40, 50, 60)
  ] as const;
  for (const [layout, want] of cases) {
    const svg = imageGrid([{ pixels, height: 1, width: 2, channels: 3, label: "rgb" }], {
      columns: 1,
      cellSize: 2,
      layout,
    });
    const [box] = imageBoxes(svg);
    const { width, data } = await svgToPixels(svg, { scale: 1 });
    const got = [rgbAt(data, width, box.x, box.y), rgbAt(data, width, box.x + 1, box.y)];
    assert.deepEqual(got, want, `layout ${layout ?? "default"}`);
  }
});

Deno.test("imageGrid rejects pixel arrays of the wrong length", () => {
  assert.throws(
    () =>
      imageGrid([{ pixels: new Uint8Array(10), height: 28, width: 28, label: "x" }], {
        columns: 1,
      }),
    /has 10 values, expected 28x28x1/,
  );
  assert.throws(() => imageGrid([], { columns: 1 }), /no images/);
});
