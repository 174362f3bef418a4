/**
 * Reader for the UCI HAR Dataset ("Human Activity Recognition Using Smartphones", Anguita et
 * al. 2013) in its published layout:
 *
 *     <root>/activity_labels.txt                          "1 WALKING" ... "6 LAYING"
 *     <root>/train/Inertial Signals/total_acc_x_train.txt  one window per row: 128 floats (g)
 *     <root>/train/Inertial Signals/total_acc_{y,z}_train.txt
 *     <root>/train/y_train.txt                            activity id per row (1-based)
 *     <root>/train/subject_train.txt                      volunteer id per row
 *     <root>/test/...                                     the same with _test
 *
 * Only the total acceleration (gravity included, as the phone measures it) is read; the
 * dataset's body_acc and gyro files and its 561 engineered features are not used. Windows are
 * 2.56 s at 50 Hz with 50% overlap. Any deviation (missing file, a row with the wrong number
 * of values or a non-number, an activity id not in activity_labels.txt, files of one split
 * with different row counts) is a bad-input error naming the file and line.
 *
 * @module
 */
import { join } from "node:path";
import { badInput } from "../../errors.ts";
import type { Samples } from "../types.ts";

/** Both splits of a UCI HAR root, with the class names from activity_labels.txt. */
export interface UciHar {
  classes: string[];
  train: Samples;
  test: Samples;
}

const DOWNLOAD_HINT = "Point dataset.path at the folder that holds activity_labels.txt, " +
  'train/ and test/ (the unzipped "UCI HAR Dataset").';

async function readText(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound ? "file not found" : (err as Error).message;
    throw badInput(`${path}: ${why}; expected the UCI HAR Dataset layout. ${DOWNLOAD_HINT}`, err);
  }
}

/** Lines of a text file, without the empty line after a final newline. */
function lines(text: string): string[] {
  const out = text.split(/\r?\n/);
  if (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out;
}

/**
 * Parse `activity_labels.txt`: lines `<id> <NAME>` with ids 1..K in order. Returns the names.
 *
 * @example
 * ```ts
 * import { parseActivityLabels } from "./uci.ts";
 * console.assert(parseActivityLabels("1 WALKING\n2 SITTING\n", "a.txt")[1] === "SITTING");
 * ```
 */
export function parseActivityLabels(text: string, file: string): string[] {
  const names: string[] = [];
  lines(text).forEach((line, i) => {
    const m = /^\s*(\d+)\s+(\S+)\s*$/.exec(line);
    if (!m || Number(m[1]) !== i + 1) {
      throw badInput(
        `${file}:${i + 1}: expected "${i + 1} <ACTIVITY_NAME>", found ${JSON.stringify(line)}.`,
      );
    }
    names.push(m[2]);
  });
  if (names.length < 2) {
    throw badInput(`${file}: expected at least 2 activities (one "<id> <NAME>" per line).`);
  }
  return names;
}

/**
 * Parse a signal file: one window per line, `columns` whitespace-separated numbers.
 * Returns the rows' values, row after row.
 *
 * @example
 * ```ts
 * import { parseSignalRows } from "./uci.ts";
 * const rows = parseSignalRows("  1.0e+000 2\n3 -4.5e-001\n", 2, "s.txt");
 * console.assert(rows.length === 4 && rows[3] === -0.45);
 * ```
 */
export function parseSignalRows(text: string, columns: number, file: string): Float64Array {
  const rows = lines(text);
  const out = new Float64Array(rows.length * columns);
  rows.forEach((line, r) => {
    const tokens = line.trim().split(/\s+/).filter((t) => t !== "");
    if (tokens.length !== columns) {
      throw badInput(
        `${file}:${r + 1}: expected ${columns} numbers (one window), found ${tokens.length}.`,
      );
    }
    for (let c = 0; c < columns; c++) {
      const v = Number(tokens[c]);
      if (!Number.isFinite(v)) {
        throw badInput(
          `${file}:${r + 1}: value ${c + 1} is ${JSON.stringify(tokens[c])}, expected a number.`,
        );
      }
      out[r * columns + c] = v;
    }
  });
  return out;
}

/**
 * Parse a one-integer-per-line file (labels, subject ids), each in [min, max].
 *
 * @example
 * ```ts
 * import { parseIntRows } from "./uci.ts";
 * console.assert(parseIntRows("5\n1\n", 1, 6, "y.txt")[0] === 5);
 * ```
 */
export function parseIntRows(text: string, min: number, max: number, file: string): Int32Array {
  return Int32Array.from(lines(text), (line, r) => {
    const v = Number(line.trim());
    if (!/^\s*\d+\s*$/.test(line) || v < min || v > max) {
      throw badInput(
        `${file}:${r + 1}: expected an integer from ${min} to ${max}, found ` +
          `${JSON.stringify(line)}.`,
      );
    }
    return v;
  });
}

/** Read one split (`train` or `test`) into `[3, windowLength]` windows. */
async function readSplit(
  root: string,
  split: "train" | "test",
  classes: number,
  windowLength: number,
): Promise<Samples> {
  const dir = join(root, split);
  const yFile = join(dir, `y_${split}.txt`);
  const subjectFile = join(dir, `subject_${split}.txt`);
  const labels = parseIntRows(await readText(yFile), 1, classes, yFile);
  const subjects = parseIntRows(await readText(subjectFile), 1, 2 ** 31 - 1, subjectFile);
  const check = (file: string, rows: number) => {
    if (rows !== labels.length) {
      throw badInput(
        `${file}: has ${rows} rows but ${yFile} has ${labels.length}; expected one row per ` +
          `window in every file of ${dir}.`,
      );
    }
  };
  check(subjectFile, subjects.length);
  const n = labels.length, size = 3 * windowLength;
  const x = new Float32Array(n * size);
  for (const [c, axis] of ["x", "y", "z"].entries()) {
    const file = join(dir, "Inertial Signals", `total_acc_${axis}_${split}.txt`);
    const values = parseSignalRows(await readText(file), windowLength, file);
    check(file, values.length / windowLength);
    for (let i = 0; i < n; i++) {
      x.set(values.subarray(i * windowLength, (i + 1) * windowLength), i * size + c * windowLength);
    }
  }
  return { x, y: labels.map((v) => v - 1), groups: subjects };
}

/**
 * Read a UCI HAR Dataset root: class names, and the official train and test splits with the
 * volunteer ids as groups.
 *
 * @example
 * ```ts ignore
 * import { readUciHar } from "./uci.ts";
 * const har = await readUciHar("/data/UCI HAR Dataset", 128);
 * console.assert(har.classes[5] === "LAYING" && har.test.y.length === 2947);
 * ```
 */
export async function readUciHar(root: string, windowLength: number): Promise<UciHar> {
  const labelsFile = join(root, "activity_labels.txt");
  const classes = parseActivityLabels(await readText(labelsFile), labelsFile);
  const train = await readSplit(root, "train", classes.length, windowLength);
  const test = await readSplit(root, "test", classes.length, windowLength);
  return { classes, train, test };
}
