/**
 * Parser for the sensor readings CSV (the layout of the stdlib package's `data/data.csv`):
 *
 *     reading,mote_id,indoor,humidity,temperature,label
 *     1,1,1,45.93,27.97,0
 *
 * Columns are found by name in the header (order free, extra columns ignored); `indoor` is
 * optional. Every malformed row is reported with the file and line.
 *
 * @module
 */
import { badInput } from "../../errors.ts";

/** Readings of one mote, in time order. */
export interface MoteSeries {
  mote: number;
  /** Reading numbers (time index, 5 s apart), strictly increasing. */
  reading: Int32Array;
  humidity: Float64Array;
  temperature: Float64Array;
  /** 1 = influenced by an introduced event, 0 = normal. */
  label: Uint8Array;
}

const REQUIRED = ["reading", "mote_id", "humidity", "temperature", "label"] as const;

/**
 * Parse the CSV text into one series per mote, sorted by mote id.
 *
 * @example
 * ```ts
 * import { parseSensorCsv } from "./csv.ts";
 * const text = "reading,mote_id,humidity,temperature,label\n1,1,40,20,0\n2,1,41,20,1\n";
 * const [m] = parseSensorCsv(text, "x.csv");
 * console.assert(m.mote === 1 && m.label[1] === 1);
 * ```
 */
export function parseSensorCsv(text: string, file: string): MoteSeries[] {
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.split(",").map((h) => h.trim()) ?? [];
  const col: Record<string, number> = {};
  for (const name of REQUIRED) {
    col[name] = header.indexOf(name);
    if (col[name] < 0) {
      throw badInput(
        `${file}:1: header lacks column "${name}" (expected ${REQUIRED.join(",")}, got ` +
          `"${lines[0] ?? ""}"); use the layout of datasets/README.md (sensor).`,
      );
    }
  }
  type Row = { reading: number; h: number; t: number; label: number; line: number };
  const rows = new Map<number, Row[]>();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const where = `${file}:${i + 1}`;
    const cells = lines[i].split(",");
    if (cells.length !== header.length) {
      throw badInput(
        `${where}: ${cells.length} fields, the header has ${header.length}; fix or remove the row.`,
      );
    }
    const num = (name: string): number => {
      const raw = cells[col[name]].trim();
      const v = Number(raw);
      if (raw === "" || !Number.isFinite(v)) {
        throw badInput(`${where}: column ${name} is "${raw}", expected a number; fix the row.`);
      }
      return v;
    };
    const reading = num("reading"), mote = num("mote_id"), label = num("label");
    if (!Number.isInteger(reading) || !Number.isInteger(mote)) {
      throw badInput(`${where}: reading and mote_id must be integers; fix the row.`);
    }
    if (label !== 0 && label !== 1) {
      throw badInput(`${where}: label is ${label}, expected 0 (normal) or 1 (event); fix the row.`);
    }
    const list = rows.get(mote) ?? [];
    list.push({ reading, h: num("humidity"), t: num("temperature"), label, line: i + 1 });
    rows.set(mote, list);
  }
  if (rows.size === 0) throw badInput(`${file}: no readings after the header; check the file.`);
  return [...rows.keys()].sort((a, b) => a - b).map((mote) => {
    const list = rows.get(mote)!.sort((a, b) => a.reading - b.reading);
    for (let i = 1; i < list.length; i++) {
      if (list[i].reading === list[i - 1].reading) {
        const [a, b] = [list[i - 1].line, list[i].line].sort((p, q) => p - q);
        throw badInput(
          `${file}:${b}: mote ${mote} has reading ${list[i].reading} twice (also on line ${a}); ` +
            `remove the duplicate.`,
        );
      }
    }
    return {
      mote,
      reading: Int32Array.from(list, (r) => r.reading),
      humidity: Float64Array.from(list, (r) => r.h),
      temperature: Float64Array.from(list, (r) => r.t),
      label: Uint8Array.from(list, (r) => r.label),
    };
  });
}
