/**
 * A folder of WAV files with one subfolder per class, the layout of Speech Commands and of
 * ESC-50 sorted by category:
 *
 *     root/
 *       dog/   1-100032-A-0.wav ...
 *       yes/   0a7c2a8d_nohash_0.wav ...
 *
 * - Classes are the subfolder names, sorted (code-point order), so labels are stable.
 *   Subfolders whose names start with `_` or `.` are skipped (Speech Commands keeps its noise
 *   recordings in `_background_noise_`); so are files not ending in `.wav` and nested folders.
 * - Groups keep recordings of one source together when splitting: Speech Commands names
 *   (`<speaker>_nohash_<n>.wav`) group by speaker, ESC-50 names
 *   (`<fold>-<clip>-<take>-<class>.wav`) by source clip, and any other file is its own group.
 * - Clips are resampled to the task's rate and zero-padded at the end or cut after
 *   `clipSeconds` (the start of a recording is kept: keyword and event datasets start there).
 *
 * @module
 */
import { join } from "node:path";
import { badInput } from "../../errors.ts";
import { resample } from "./resample.ts";
import { readWav } from "./wav.ts";

/** The files of a class folder, labelled and grouped. */
export interface WavFolder {
  root: string;
  classes: string[];
  /** Paths of the WAV files (root joined), sorted by class then name. */
  files: string[];
  labels: Int32Array;
  groups: Int32Array;
  /** How groups were formed, for the dataset's source description. */
  groupCounts: { speaker: number; clip: number; file: number };
}

const SPEECH_COMMANDS = /^([^_]+)_nohash_\d+\.wav$/i;
const ESC50 = /^\d+-(\d+)-[A-Z]+-\d+\.wav$/i;

/**
 * The group key of a file name: `speaker:<id>`, `clip:<id>` or `file:<class>/<name>`.
 *
 * @example
 * ```ts
 * import { groupKey } from "./folder.ts";
 * console.assert(groupKey("yes", "0a7c2a8d_nohash_1.wav") === "speaker:0a7c2a8d");
 * console.assert(groupKey("dog", "1-100032-A-0.wav") === "clip:100032");
 * console.assert(groupKey("dog", "bark.wav") === "file:dog/bark.wav");
 * ```
 */
export function groupKey(className: string, fileName: string): string {
  const sc = SPEECH_COMMANDS.exec(fileName);
  if (sc) return `speaker:${sc[1]}`;
  const esc = ESC50.exec(fileName);
  if (esc) return `clip:${esc[1]}`;
  return `file:${className}/${fileName}`;
}

async function listDir(path: string): Promise<Deno.DirEntry[]> {
  const entries: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(path)) entries.push(e);
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * List a class-per-subfolder WAV tree. Errors (bad-input) when the root is missing or not a
 * folder, has fewer than two class subfolders, or a class has no WAV file.
 *
 * @example
 * ```ts
 * import { scanWavFolder } from "./folder.ts";
 * import { encodeWav } from "./wav.ts";
 * const root = await Deno.makeTempDir();
 * for (const word of ["no", "yes"]) {
 *   await Deno.mkdir(`${root}/${word}`);
 *   await Deno.writeFile(`${root}/${word}/a_nohash_0.wav`, encodeWav([new Float32Array(8)], 16000));
 * }
 * const folder = await scanWavFolder(root);
 * console.assert(folder.classes[1] === "yes" && folder.groups[0] === folder.groups[1]);
 * ```
 */
export async function scanWavFolder(root: string): Promise<WavFolder> {
  let top: Deno.DirEntry[];
  try {
    top = await listDir(root);
  } catch (err) {
    throw badInput(
      `${root}: cannot read the sound folder (${(err as Error).message}); expected a folder ` +
        `with one subfolder of .wav files per class. Check dataset.path in the task YAML.`,
      err,
    );
  }
  const classes = top.filter((e) => e.isDirectory && !/^[_.]/.test(e.name)).map((e) => e.name);
  if (classes.length < 2) {
    throw badInput(
      `${root}: found ${classes.length} class subfolder(s); expected at least 2 ` +
        `(one subfolder of .wav files per class).`,
    );
  }
  const files: string[] = [], labels: number[] = [], keys: string[] = [];
  for (const [label, name] of classes.entries()) {
    const wavs = (await listDir(join(root, name)))
      .filter((e) => e.isFile && e.name.toLowerCase().endsWith(".wav"));
    if (wavs.length === 0) {
      throw badInput(`${join(root, name)}: class folder has no .wav file; add some or remove it.`);
    }
    for (const w of wavs) {
      files.push(join(root, name, w.name));
      labels.push(label);
      keys.push(groupKey(name, w.name));
    }
  }
  const ids = new Map([...new Set(keys)].sort().map((k, i) => [k, i]));
  const groupCounts = { speaker: 0, clip: 0, file: 0 };
  for (const k of ids.keys()) groupCounts[k.slice(0, k.indexOf(":")) as keyof typeof groupCounts]++;
  return {
    root,
    classes,
    files,
    labels: Int32Array.from(labels),
    groups: Int32Array.from(keys, (k) => ids.get(k)!),
    groupCounts,
  };
}

/**
 * Zero-pad at the end or cut to exactly `length` samples (a copy).
 *
 * @example
 * ```ts
 * import { fitLength } from "./folder.ts";
 * console.assert(fitLength(new Float32Array([1, 2, 3]), 5)[4] === 0);
 * console.assert(fitLength(new Float32Array([1, 2, 3]), 2).length === 2);
 * ```
 */
export function fitLength(samples: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length);
  out.set(samples.subarray(0, length));
  return out;
}

/** Read one WAV file as a mono clip of `length` samples at `sampleRate` Hz. */
export async function readClip(
  path: string,
  sampleRate: number,
  length: number,
): Promise<Float32Array> {
  const wav = await readWav(path);
  if (wav.sampleRate === sampleRate) return fitLength(wav.samples, length);
  // Resample only what the clip keeps, plus the resampling kernel's reach past its end.
  const ratio = wav.sampleRate / sampleRate;
  const keep = Math.ceil(length * ratio) + Math.ceil(20 * Math.max(1, ratio));
  const head = wav.samples.subarray(0, keep);
  return fitLength(resample(head, wav.sampleRate, sampleRate), length);
}
