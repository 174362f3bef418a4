/**
 * A small UCI HAR Dataset on disk, in exactly the published layout and number format
 * (`  1.0128124e+000 ...`), for the loader tests.
 *
 * @module
 */
import { join } from "node:path";

/** UCI's `activity_labels.txt`. */
export const UCI_LABELS = "1 WALKING\n2 WALKING_UPSTAIRS\n3 WALKING_DOWNSTAIRS\n4 SITTING\n" +
  "5 STANDING\n6 LAYING\n";

/** A number as UCI prints it: 7 decimals and a three-digit exponent. */
export function uciNumber(v: number): string {
  const [mantissa, exp] = v.toExponential(7).split("e");
  const e = Number(exp);
  return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(3, "0")}`;
}

/** The value written for window `i`, axis `c`, time `t` (recognisable in round trips). */
export function fixtureValue(split: string, i: number, c: number, t: number): number {
  return (split === "train" ? 1 : -1) * (c + 1) * 0.1 + i * 0.01 + t * 1e-4;
}

/** Rows per split of the fixture. */
export const FIXTURE_ROWS = { train: 8, test: 5 };

/**
 * Write the fixture under `root`: `FIXTURE_ROWS` windows of `columns` values per split,
 * labels cycling 1..6, subjects 1..3 (train) and 4..5 (test). Returns the root.
 */
export async function writeUciFixture(root: string, columns = 128): Promise<string> {
  await Deno.writeTextFile(join(root, "activity_labels.txt"), UCI_LABELS);
  for (const split of ["train", "test"] as const) {
    const rows = FIXTURE_ROWS[split];
    const dir = join(root, split);
    await Deno.mkdir(join(dir, "Inertial Signals"), { recursive: true });
    const ids = Array.from({ length: rows }, (_, i) => i);
    await Deno.writeTextFile(
      join(dir, `y_${split}.txt`),
      ids.map((i) => `${(i % 6) + 1}\n`).join(""),
    );
    const subject = (i: number) => (split === "train" ? 1 + (i % 3) : 4 + (i % 2));
    await Deno.writeTextFile(
      join(dir, `subject_${split}.txt`),
      ids.map((i) => `${subject(i)}\n`).join(""),
    );
    for (const [c, axis] of ["x", "y", "z"].entries()) {
      const text = ids.map((i) =>
        Array.from({ length: columns }, (_, t) => " " + uciNumber(fixtureValue(split, i, c, t)))
          .join(" ") + "\n"
      ).join("");
      await Deno.writeTextFile(
        join(dir, "Inertial Signals", `total_acc_${axis}_${split}.txt`),
        text,
      );
    }
  }
  return root;
}

/** Replace line `line` (1-based) of `path` with `text`, or delete it when `text` is null. */
export async function editLine(path: string, line: number, text: string | null): Promise<void> {
  const lines = (await Deno.readTextFile(path)).split("\n");
  if (text === null) lines.splice(line - 1, 1);
  else lines[line - 1] = text;
  await Deno.writeTextFile(path, lines.join("\n"));
}
