import assert from "node:assert/strict";
import { AdaspringError, ExitCode } from "../../lib/errors.ts";
import { pngInfo } from "../../lib/plot/png.ts";
import { renderVegaLite, svgToPixels, svgToPng, writeFigure } from "../../lib/plot/render.ts";
import { assertWellFormedSvg } from "./svg_check.ts";

const SMALL_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20">` +
  `<rect x="5" y="5" width="10" height="10" fill="#ff0000"/></svg>`;

Deno.test("renderVegaLite gives well-formed SVG in the figure font", async () => {
  const svg = await renderVegaLite({
    title: "A <title> & more",
    data: { values: [{ a: 1, b: 2 }, { a: 2, b: 3 }] },
    mark: "point",
    encoding: {
      x: { field: "a", type: "quantitative" },
      y: { field: "b", type: "quantitative" },
    },
  });
  assertWellFormedSvg(svg);
  assert.match(svg, /font-family="DejaVu Sans"/);
  assert.ok(svg.includes("A &lt;title&gt; &amp; more"));
});

Deno.test("renderVegaLite is byte-identical across calls despite Vega's global id counters", async () => {
  // A quantitative colour legend makes Vega emit a gradient with a process-wide counter id.
  const spec = {
    data: { values: [{ a: 1, b: 2, c: 0.1 }, { a: 2, b: 3, c: 0.9 }] },
    mark: "point",
    encoding: {
      x: { field: "a", type: "quantitative" },
      y: { field: "b", type: "quantitative" },
      color: { field: "c", type: "quantitative" },
    },
  } as const;
  const first = await renderVegaLite(spec);
  const second = await renderVegaLite(spec);
  assert.match(first, /id="gradient_0"/);
  assert.match(first, /url\(#gradient_0\)/);
  assert.equal(first, second);
});

Deno.test("svgToPng gives a PNG whose IHDR size is the SVG size times the scale", async () => {
  for (const scale of [1, 2, 3]) {
    const png = await svgToPng(SMALL_SVG, { scale });
    assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
    const info = pngInfo(png);
    assert.equal(info.width, 30 * scale);
    assert.equal(info.height, 20 * scale);
  }
});

Deno.test("svgToPixels paints shapes where the SVG puts them, on a white background", async () => {
  const { width, data } = await svgToPixels(SMALL_SVG, { scale: 1 });
  const at = (
    x: number,
    y: number,
  ) => [...data.subarray((y * width + x) * 4, (y * width + x) * 4 + 4)];
  assert.deepEqual(at(10, 10), [255, 0, 0, 255]);
  assert.deepEqual(at(25, 2), [255, 255, 255, 255]);
});

Deno.test("text is drawn in the PNG (the font is loaded)", async () => {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30">` +
    `<text x="4" y="22" font-family="DejaVu Sans" font-size="18">Hello 123</text></svg>`;
  const { data } = await svgToPixels(svg, { scale: 1 });
  let dark = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] < 128) dark++;
  assert.ok(dark > 100, `only ${dark} dark pixels: text was not drawn`);
});

Deno.test("a missing font is a missingDependency error naming the path and the fix", async () => {
  const fontPath = "/nonexistent/fonts/NoSuchFont.ttf";
  const err = await svgToPng(SMALL_SVG, { fontPath }).then(() => null, (e) => e);
  assert.ok(err instanceof AdaspringError, `expected AdaspringError, got ${err}`);
  assert.equal(err.exitCode, ExitCode.missingDependency);
  assert.ok(err.message.includes(fontPath), err.message);
  assert.ok(err.message.includes("apt-get install fonts-dejavu-core"), err.message);
});

Deno.test("writeFigure writes the SVG and PNG and leaves no temporary files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "plot-test-" });
  try {
    const paths = await writeFigure(`${dir}/sub/fig`, SMALL_SVG, { scale: 1 });
    assert.deepEqual(paths, { svg: `${dir}/sub/fig.svg`, png: `${dir}/sub/fig.png` });
    assert.equal(await Deno.readTextFile(paths.svg), SMALL_SVG);
    assert.equal(pngInfo(await Deno.readFile(paths.png)).width, 30);
    const names = [];
    for await (const entry of Deno.readDir(`${dir}/sub`)) names.push(entry.name);
    assert.deepEqual(names.sort(), ["fig.png", "fig.svg"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFigure writes nothing when the PNG cannot be made", async () => {
  const dir = await Deno.makeTempDir({ prefix: "plot-test-" });
  try {
    await assert.rejects(
      writeFigure(`${dir}/fig`, SMALL_SVG, { fontPath: `${dir}/missing.ttf` }),
      AdaspringError,
    );
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assert.deepEqual(names, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
