/**
 * Audio fixtures for the sound tests: tones, and WAV folders written to disk.
 *
 * @module
 */
import { join } from "node:path";
import { encodeWav, type WavEncoding } from "../../lib/data/sound/wav.ts";

/** `amp * sin(2 pi freq t)` for `n` samples at `rate` Hz. */
export function tone(freq: number, rate: number, n: number, amp = 0.5): Float32Array {
  return Float32Array.from(
    { length: n },
    (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate),
  );
}

/** One file of a fixture folder: class folder, file name, and its content. */
export interface FixtureFile {
  cls: string;
  name: string;
  channels: Float32Array[];
  rate: number;
  encoding?: WavEncoding;
}

/** Write files (and their class folders) under `root`. */
export async function writeWavFolder(root: string, files: FixtureFile[]): Promise<string> {
  for (const f of files) {
    await Deno.mkdir(join(root, f.cls), { recursive: true });
    await Deno.writeFile(join(root, f.cls, f.name), encodeWav(f.channels, f.rate, f.encoding));
  }
  return root;
}

/** Build a WAV header + data by hand, for headers the writer does not emit. */
export function rawWav(opts: {
  tag: number;
  channels: number;
  rate: number;
  bits: number;
  data: Uint8Array;
  extensibleTag?: number;
  extraChunk?: { id: string; body: Uint8Array };
}): Uint8Array {
  const fmtSize = opts.extensibleTag === undefined ? 16 : 40;
  const extra = opts.extraChunk;
  const extraLen = extra ? 8 + extra.body.length + (extra.body.length & 1) : 0;
  const total = 12 + 8 + fmtSize + extraLen + 8 + opts.data.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const ascii = (at: number, s: string) =>
    [...s].forEach((ch, i) => out[at + i] = ch.charCodeAt(0));
  ascii(0, "RIFF");
  view.setUint32(4, total - 8, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, fmtSize, true);
  const align = opts.channels * (opts.bits / 8);
  view.setUint16(20, opts.tag, true);
  view.setUint16(22, opts.channels, true);
  view.setUint32(24, opts.rate, true);
  view.setUint32(28, opts.rate * align, true);
  view.setUint16(32, align, true);
  view.setUint16(34, opts.bits, true);
  if (opts.extensibleTag !== undefined) {
    view.setUint16(36, 22, true); // cbSize
    view.setUint16(38, opts.bits, true); // valid bits
    view.setUint32(40, 0, true); // channel mask
    view.setUint16(44, opts.extensibleTag, true); // sub-format GUID, first two bytes
  }
  let at = 20 + fmtSize;
  if (extra) {
    ascii(at, extra.id);
    view.setUint32(at + 4, extra.body.length, true);
    out.set(extra.body, at + 8);
    at += extraLen;
  }
  ascii(at, "data");
  view.setUint32(at + 4, opts.data.length, true);
  out.set(opts.data, at + 8);
  return out;
}
