import assert from "node:assert/strict";
import { bars, lineTraces, scatter, timeline } from "../../lib/plot/charts.ts";
import { pngInfo } from "../../lib/plot/png.ts";
import { svgToPng } from "../../lib/plot/render.ts";
import { assertWellFormedSvg } from "./svg_check.ts";

const traces = ["walking", "running", "sitting"].map((label, k) => ({
  label,
  series: ["x", "y", "z"].map((name, a) => ({
    name,
    values: Float32Array.from({ length: 64 }, (_, i) => Math.sin(i * 0.2 * (k + 1) + a)),
  })),
}));

const points = [
  { x: 1.2, y: 1.1, group: "conv", label: "cfg-a" },
  { x: 3.4, y: 3.9, group: "depthwise" },
  { x: 8.0, y: 7.1, group: "conv" },
];

const barRows = ["pi4", "jetson-nano"].flatMap((category) =>
  ["backbone", "adaptive"].map((group, j) => ({ category, group, value: j + 1.5 }))
);

const trace = Array.from({ length: 12 }, (_, t) => [
  { t, value: 100 - 5 * t, series: "battery %" },
  { t, value: t % 4 < 2 ? 30 : 80, series: "latency budget (ms)" },
]).flat();

/** Each builder with sample data and the texts its SVG must contain. */
const cases: [string, () => Promise<string>, string[]][] = [
  [
    "lineTraces",
    () => lineTraces(traces, { columns: 2, title: "windows", yTitle: "m/s²" }),
    ["walking", "running", "sitting", "windows", "m/s²", ">x<", ">z<"],
  ],
  [
    "scatter",
    () =>
      scatter(points, {
        xTitle: "measured (ms)",
        yTitle: "predicted (ms)",
        title: "predictor",
        diagonal: true,
      }),
    ["measured (ms)", "predicted (ms)", "predictor", "cfg-a", "conv", "depthwise"],
  ],
  [
    "scatter (log x, no groups)",
    () =>
      scatter([{ x: 1, y: 0.9 }, { x: 100, y: 0.7 }], { xTitle: "ms", yTitle: "acc", logX: true }),
    [">ms<", ">acc<"],
  ],
  [
    "bars",
    () => bars(barRows, { yTitle: "inferences per joule", title: "efficiency" }),
    ["pi4", "jetson-nano", "backbone", "adaptive", "inferences per joule", "efficiency"],
  ],
  [
    "timeline",
    () => timeline(trace, { xTitle: "hour", title: "context", step: true }),
    ["battery %", "latency budget (ms)", "hour", "context"],
  ],
];

for (const [name, build, texts] of cases) {
  Deno.test(`${name}: well-formed SVG containing its labels, deterministic, rasterizable`, async () => {
    const svg = await build();
    assertWellFormedSvg(svg);
    for (const text of texts) assert.ok(svg.includes(text), `${name}: missing "${text}"`);
    assert.equal(await build(), svg, `${name}: second render differs`);
    const size = svg.match(/^<svg[^>]* width="(\d+)" height="(\d+)"/);
    assert.ok(size, "root has width and height");
    const info = pngInfo(await svgToPng(svg, { scale: 1 }));
    assert.deepEqual([info.width, info.height], [+size[1], +size[2]]);
  });
}

Deno.test("lineTraces keeps panel order and rejects duplicate panel labels", async () => {
  const svg = await lineTraces(traces);
  const order = ["walking", "running", "sitting"].map((l) => svg.indexOf(`'${l}'`));
  assert.ok(order.every((p, i) => p > 0 && (i === 0 || p > order[i - 1])), `order ${order}`);
  assert.throws(() => lineTraces([traces[0], traces[0]]), /labels must be unique/);
});

Deno.test("bars keep categories in input order", async () => {
  const svg = await bars([
    { category: "zeta", value: 1 },
    { category: "alpha", value: 2 },
  ]);
  assert.ok(svg.indexOf(">zeta<") < svg.indexOf(">alpha<"));
});
