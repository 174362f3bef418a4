/**
 * RIFF/WAVE reading and writing.
 *
 * The reader accepts what sound datasets ship: PCM integer samples of 8 (unsigned), 16, 24 or
 * 32 bits, and IEEE float of 32 or 64 bits, in the plain `WAVE_FORMAT_PCM` / `_IEEE_FLOAT`
 * headers or in `WAVE_FORMAT_EXTENSIBLE`, any channel count. Samples are scaled to [-1, 1)
 * and channels are averaged to mono, since every adaspring audio model takes one channel.
 * Chunks other than `fmt ` and `data` (LIST, fact, cue...) are skipped.
 *
 * The writer emits the same formats (16-bit PCM by default) so tests and fixtures can make
 * files of every kind the reader supports.
 *
 * @module
 */
import { badInput } from "../../errors.ts";

/** A sample encoding the reader and writer support. */
export type WavEncoding =
  | { kind: "pcm"; bits: 8 | 16 | 24 | 32 }
  | { kind: "float"; bits: 32 | 64 };

/** A decoded WAV file, mixed down to mono. */
export interface WavAudio {
  sampleRate: number;
  /** Channel count in the file (before the mono mix). */
  channels: number;
  encoding: WavEncoding;
  /** Mono samples in [-1, 1]: the mean of the file's channels. */
  samples: Float32Array;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

/** Map the fmt chunk's format tag and bit depth to an encoding, or explain why not. */
function encodingOf(tag: number, bits: number, name: string): WavEncoding {
  if (tag === FORMAT_PCM && (bits === 8 || bits === 16 || bits === 24 || bits === 32)) {
    return { kind: "pcm", bits };
  }
  if (tag === FORMAT_FLOAT && (bits === 32 || bits === 64)) return { kind: "float", bits };
  const what = tag === FORMAT_PCM
    ? `${bits}-bit PCM`
    : tag === FORMAT_FLOAT
    ? `${bits}-bit float`
    : `format tag 0x${tag.toString(16)}`;
  throw badInput(
    `${name}: unsupported WAV encoding (${what}); expected PCM 8/16/24/32-bit or float 32/64-bit. ` +
      `Convert it, e.g. \`ffmpeg -i in.wav -c:a pcm_s16le out.wav\`.`,
  );
}

/**
 * Decode WAV bytes; `name` (usually the path) is used in error messages.
 *
 * @example
 * ```ts
 * import { decodeWav, encodeWav } from "./wav.ts";
 * const bytes = encodeWav([new Float32Array([0, 0.5, -0.5])], 16000);
 * const wav = decodeWav(bytes, "mem.wav");
 * console.assert(wav.sampleRate === 16000 && wav.samples.length === 3);
 * ```
 */
export function decodeWav(bytes: Uint8Array, name: string): WavAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || fourcc(bytes, 0) !== "RIFF" || fourcc(bytes, 8) !== "WAVE") {
    throw badInput(
      `${name}: not a WAV file (expected the bytes "RIFF" at 0 and "WAVE" at 8). ` +
        `Only RIFF/WAVE audio is read; convert other formats to .wav.`,
    );
  }
  let fmt: { tag: number; channels: number; rate: number; align: number; bits: number } | null =
    null;
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const id = fourcc(bytes, pos);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === "fmt ") {
      if (size < 16 || body + size > bytes.length) {
        throw badInput(`${name}: truncated or malformed "fmt " chunk at byte ${pos}.`);
      }
      let tag = view.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE keeps the real format in the first 2 bytes of its GUID.
      if (tag === FORMAT_EXTENSIBLE && size >= 40) tag = view.getUint16(body + 24, true);
      fmt = {
        tag,
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        align: view.getUint16(body + 12, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === "data") {
      if (fmt === null) {
        throw badInput(`${name}: "data" chunk before "fmt " chunk; file is malformed.`);
      }
      if (body + size > bytes.length) {
        throw badInput(
          `${name}: truncated: the data chunk declares ${size} bytes but only ` +
            `${bytes.length - body} remain. Re-export or re-download the file.`,
        );
      }
      const encoding = encodingOf(fmt.tag, fmt.bits, name);
      if (fmt.channels < 1 || fmt.rate < 1 || fmt.align !== fmt.channels * (fmt.bits / 8)) {
        throw badInput(
          `${name}: inconsistent fmt chunk (channels ${fmt.channels}, rate ${fmt.rate}, ` +
            `block align ${fmt.align}, ${fmt.bits} bits).`,
        );
      }
      if (size % fmt.align !== 0) {
        throw badInput(
          `${name}: truncated: data size ${size} is not a multiple of the frame size ${fmt.align}.`,
        );
      }
      const samples = decodeFrames(view, body, size / fmt.align, fmt.channels, encoding);
      return { sampleRate: fmt.rate, channels: fmt.channels, encoding, samples };
    }
    pos = body + size + (size & 1); // chunks are padded to an even length
  }
  throw badInput(
    `${name}: truncated or malformed: no ${fmt === null ? '"fmt " chunk' : '"data" chunk'} found.`,
  );
}

/** Read interleaved frames starting at byte `at` and average channels to mono. */
function decodeFrames(
  view: DataView,
  at: number,
  frames: number,
  channels: number,
  encoding: WavEncoding,
): Float32Array {
  const out = new Float32Array(frames);
  const bytesPer = encoding.bits / 8;
  const read = sampleReader(view, encoding);
  let p = at;
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++, p += bytesPer) sum += read(p);
    out[i] = sum / channels;
  }
  return out;
}

function sampleReader(view: DataView, e: WavEncoding): (at: number) => number {
  if (e.kind === "float") {
    return e.bits === 32 ? (p) => view.getFloat32(p, true) : (p) => view.getFloat64(p, true);
  }
  switch (e.bits) {
    case 8: // unsigned, centred on 128
      return (p) => (view.getUint8(p) - 128) / 128;
    case 16:
      return (p) => view.getInt16(p, true) / 32768;
    case 24:
      return (p) => {
        const v = view.getUint8(p) | (view.getUint8(p + 1) << 8) | (view.getInt8(p + 2) << 16);
        return v / 8388608;
      };
    default:
      return (p) => view.getInt32(p, true) / 2147483648;
  }
}

/**
 * Read and decode a WAV file; missing or malformed files raise a bad-input error naming it.
 *
 * @example
 * ```ts
 * import { encodeWav, readWav } from "./wav.ts";
 * const path = await Deno.makeTempFile({ suffix: ".wav" });
 * await Deno.writeFile(path, encodeWav([new Float32Array(160)], 16000));
 * console.assert((await readWav(path)).samples.length === 160);
 * ```
 */
export async function readWav(path: string): Promise<WavAudio> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    throw badInput(`${path}: cannot read WAV file (${(err as Error).message}).`, err);
  }
  return decodeWav(bytes, path);
}

/**
 * Encode channels (equal lengths, samples in [-1, 1], clipped) as a WAV file.
 *
 * @param channels one array per channel
 * @param sampleRate in Hz
 * @param encoding defaults to 16-bit PCM
 *
 * @example
 * ```ts
 * import { encodeWav } from "./wav.ts";
 * const bytes = encodeWav([new Float32Array(10)], 8000, { kind: "pcm", bits: 24 });
 * console.assert(bytes.length === 44 + 30);
 * ```
 */
export function encodeWav(
  channels: Float32Array[],
  sampleRate: number,
  encoding: WavEncoding = { kind: "pcm", bits: 16 },
): Uint8Array {
  const n = channels[0]?.length ?? 0;
  if (channels.length < 1 || channels.some((c) => c.length !== n)) {
    throw new RangeError("encodeWav needs at least one channel, all of equal length");
  }
  const bytesPer = encoding.bits / 8;
  const align = bytesPer * channels.length;
  const dataSize = n * align;
  const out = new Uint8Array(44 + dataSize + (dataSize & 1));
  const view = new DataView(out.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  ascii(0, "RIFF");
  view.setUint32(4, out.length - 8, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, encoding.kind === "pcm" ? FORMAT_PCM : FORMAT_FLOAT, true);
  view.setUint16(22, channels.length, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * align, true);
  view.setUint16(32, align, true);
  view.setUint16(34, encoding.bits, true);
  ascii(36, "data");
  view.setUint32(40, dataSize, true);
  const write = sampleWriter(view, encoding);
  let p = 44;
  for (let i = 0; i < n; i++) {
    for (const ch of channels) {
      write(p, ch[i]);
      p += bytesPer;
    }
  }
  return out;
}

function sampleWriter(view: DataView, e: WavEncoding): (at: number, v: number) => void {
  if (e.kind === "float") {
    return e.bits === 32
      ? (p, v) => view.setFloat32(p, v, true)
      : (p, v) => view.setFloat64(p, v, true);
  }
  // Scale by 2^(bits-1), round, clip to the representable range.
  const full = 2 ** (e.bits - 1);
  const q = (v: number) => Math.max(-full, Math.min(full - 1, Math.round(v * full)));
  switch (e.bits) {
    case 8:
      return (p, v) => view.setUint8(p, q(v) + 128);
    case 16:
      return (p, v) => view.setInt16(p, q(v), true);
    case 24:
      return (p, v) => {
        const s = q(v);
        view.setUint8(p, s & 0xff);
        view.setUint8(p + 1, (s >> 8) & 0xff);
        view.setInt8(p + 2, s >> 16);
      };
    default:
      return (p, v) => view.setInt32(p, q(v), true);
  }
}
