/**
 * The `sound` source: audio clips as log-mel spectrograms `[1, nMels, frames]`.
 *
 * - Default (no `path`): synthetic sound events (see `synthetic.ts`), provenance "synthetic".
 * - `path` set: a WAV folder with one subfolder per class (see `folder.ts`), provenance "real".
 *
 * @module
 */
import { resolve } from "node:path";
import { badInput } from "../../errors.ts";
import type { SplitSpec } from "../../config/dataset_common.ts";
import type { LoaderContext, RawDataset } from "../types.ts";
import { readClip, scanWavFolder } from "./folder.ts";
import { createLogMel, type LogMel } from "./logmel.ts";
import type { SoundSpec } from "./schema.ts";
import { SOUND_CLASSES, synthesizeClip } from "./synthetic.ts";

/**
 * Load (or generate) the clips of a `sound` dataset block and featurise them.
 *
 * @example
 * ```ts
 * import { createRng } from "../../util/rng.ts";
 * import { soundOptionsSchema } from "./schema.ts";
 * import { loadSound } from "./mod.ts";
 * const spec = soundOptionsSchema.parse({ source: "sound", synthetic: { clipsPerClass: 2 } });
 * const raw = await loadSound(spec, { rng: createRng(0), baseDir: "." });
 * console.assert(raw.inputShape.join() === "1,40,101" && raw.samples.y.length === 20);
 * ```
 */
export async function loadSound(spec: SoundSpec, ctx: LoaderContext): Promise<RawDataset> {
  const length = Math.round(spec.sampleRate * spec.clipSeconds);
  const fMax = spec.fMax ?? spec.sampleRate / 2;
  let logMel: LogMel;
  try {
    logMel = createLogMel({ ...spec, fMax }, length);
  } catch (err) {
    if (err instanceof RangeError) throw badInput(`dataset (sound): ${err.message}.`, err);
    throw err;
  }
  const features = `log-mel ${spec.nMels} x ${logMel.inputShape[2]} (nFft ${spec.nFft}, ` +
    `hop ${spec.hop}, ${spec.window}, ${spec.pad} padding, HTK mel ${spec.fMin}-${fMax} Hz, ` +
    `log offset ${spec.logOffset}); ${spec.clipSeconds} s clips at ${spec.sampleRate} Hz`;
  return spec.path === undefined ? generate(spec, ctx, length, logMel, features) : await readFolder(
    resolve(ctx.baseDir, spec.path),
    ctx,
    length,
    spec.sampleRate,
    logMel,
    features,
  );
}

/**
 * How many samples a generator must make so that every split can reach `limit` (the core
 * applies `limit` per split after splitting); undefined when there is no limit.
 */
function samplesNeeded(limit: number | undefined, split: SplitSpec): number | undefined {
  if (limit === undefined) return undefined;
  const shares = [1 - split.val - split.test, split.val, split.test].filter((f) => f > 0);
  return Math.ceil((limit / Math.min(...shares)) * 1.2);
}

function generate(
  spec: SoundSpec,
  ctx: LoaderContext,
  length: number,
  logMel: LogMel,
  features: string,
): RawDataset {
  const classes = SOUND_CLASSES.length;
  const needed = samplesNeeded(spec.limit, spec.split);
  const perClass = needed === undefined
    ? spec.synthetic.clipsPerClass
    : Math.min(spec.synthetic.clipsPerClass, Math.ceil(needed / classes));
  const count = perClass * classes;
  const x = new Float32Array(count * logMel.size);
  const y = new Int32Array(count);
  const rng = ctx.rng.fork("sound-synthetic");
  // Interleave classes; clip k of class c has its own stream, independent of perClass.
  for (let i = 0; i < count; i++) {
    const label = i % classes, k = Math.floor(i / classes);
    const clip = synthesizeClip(
      label,
      rng.fork(`${label}/${k}`),
      spec.sampleRate,
      length,
      spec.synthetic.snrDb,
    );
    logMel.write(clip.samples, x, i * logMel.size);
    y[i] = label;
    if (i % 100 === 0) ctx.onProgress?.(i / count, `generating sound clips (${i}/${count})`);
  }
  ctx.onProgress?.(1, `generated ${count} sound clips`);
  const [lo, hi] = spec.synthetic.snrDb;
  return {
    provenance: "synthetic",
    source: `synthetic sound events (adaspring generator, lib/data/sound/synthetic.ts): ` +
      `${classes} classes x ${perClass} clips, SNR ${lo}..${hi} dB over pink/brown/babble ` +
      `backgrounds; ${features}`,
    inputShape: [...logMel.inputShape],
    classes: [...SOUND_CLASSES],
    samples: { x, y },
  };
}

async function readFolder(
  root: string,
  ctx: LoaderContext,
  length: number,
  sampleRate: number,
  logMel: LogMel,
  features: string,
): Promise<RawDataset> {
  const folder = await scanWavFolder(root);
  const count = folder.files.length;
  const x = new Float32Array(count * logMel.size);
  for (let i = 0; i < count; i++) {
    logMel.write(await readClip(folder.files[i], sampleRate, length), x, i * logMel.size);
    if (i % 100 === 0) ctx.onProgress?.(i / count, `reading ${folder.files[i]}`);
  }
  ctx.onProgress?.(1, `read ${count} WAV files`);
  const g = folder.groupCounts;
  return {
    provenance: "real",
    source: `WAV folder ${root}: ${count} files in ${folder.classes.length} classes; groups: ` +
      `${g.speaker} speakers, ${g.clip} source clips, ${g.file} single files; ${features}`,
    inputShape: [...logMel.inputShape],
    classes: folder.classes,
    samples: { x, y: folder.labels, groups: folder.groups },
  };
}
