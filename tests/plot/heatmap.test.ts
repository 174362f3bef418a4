import assert from "node:assert/strict";
import { MISSING_COLOR, viridis } from "../../lib/plot/colormap.ts";
import { heatmapGrid, type HeatmapPanel } from "../../lib/plot/heatmap.ts";
import { svgToPixels } from "../../lib/plot/render.ts";
import { assertWellFormedSvg, imageBoxes, rgbAt } from "./svg_check.ts";

/** A spectrogram-like panel whose value grows with the row (mel bin) index. */
function rowRamp(rows: number, cols: number, label: string): HeatmapPanel {
  const values = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) values.fill(r, r * cols, (r + 1) * cols);
  return { values, rows, cols, label };
}

Deno.test("heatmapGrid gives well-formed SVG with every label, title and colour bar", () => {
  const panels = Array.from({ length: 8 }, (_, k) => rowRamp(40, 100, `class "${k}"`));
  const svg = heatmapGrid(panels, {
    columns: 4,
    title: "log-mel",
    xTitle: "frame",
    yTitle: "mel bin",
    legendTitle: "dB",
  });
  assertWellFormedSvg(svg);
  assert.equal(imageBoxes(svg).length, 8);
  for (let k = 0; k < 8; k++) assert.ok(svg.includes(`class &quot;${k}&quot;`));
  for (const t of ["log-mel", "frame", "mel bin", "dB"]) assert.ok(svg.includes(`>${t}</text>`));
  assert.ok(svg.includes('fill="url(#heatmap-scale)"'));
  assert.ok(svg.includes(">0</text>") && svg.includes(">39</text>"), "colour bar ticks 0..39");
});

Deno.test("heatmapGrid is deterministic", () => {
  const make = () => heatmapGrid([rowRamp(10, 20, "a"), rowRamp(10, 20, "b")], { columns: 2 });
  assert.equal(make(), make());
});

Deno.test("row 0 is drawn at the bottom by default and at the top with origin 'top'", async () => {
  const panel = rowRamp(4, 6, "ramp");
  for (const origin of ["bottom", "top"] as const) {
    const svg = heatmapGrid([panel], { columns: 1, panelWidth: 12, panelHeight: 8, origin });
    const [box] = imageBoxes(svg);
    assert.deepEqual([box.width, box.height], [12, 8]); // 2x per cell in both directions
    const { width, data } = await svgToPixels(svg, { scale: 1 });
    const top = rgbAt(data, width, box.x + 1, box.y + 1);
    const bottom = rgbAt(data, width, box.x + 1, box.y + box.height - 1);
    const [low, high] = [[...viridis(0)], [...viridis(1)]];
    assert.deepEqual([top, bottom], origin === "bottom" ? [high, low] : [low, high]);
  }
});

Deno.test("values map through valueRange, clamped, and non-finite values are gray", async () => {
  const values = new Float32Array([0, 5, 10, NaN]); // 1 row x 4 columns
  const svg = heatmapGrid([{ values, rows: 1, cols: 4, label: "x" }], {
    columns: 1,
    panelWidth: 4,
    panelHeight: 1,
    valueRange: [0, 5],
  });
  const [box] = imageBoxes(svg);
  const { width, data } = await svgToPixels(svg, { scale: 1 });
  const got = [0, 1, 2, 3].map((x) => rgbAt(data, width, box.x + x, box.y));
  assert.deepEqual(got, [viridis(0), viridis(1), viridis(1), MISSING_COLOR].map((c) => [...c]));
});

Deno.test("heatmapGrid rejects panels whose values do not match rows x cols", () => {
  assert.throws(
    () =>
      heatmapGrid([{ values: new Float32Array(5), rows: 2, cols: 3, label: "bad" }], {
        columns: 1,
      }),
    /has 5 values, expected 2x3/,
  );
});
