/**
 * A minimal PNG encoder (8-bit grayscale, RGB or RGBA; no interlacing) and a header reader.
 *
 * Hand-built figures embed small bitmaps (dataset samples, spectrograms) as PNG data URIs, which
 * every SVG viewer and resvg display; this module makes those PNGs without a dependency. The
 * compression is zlib's (`node:zlib` deflateSync) and the output is byte-identical for identical
 * input, so figures stay deterministic.
 *
 * @module
 */
import { deflateSync } from "node:zlib";

/** Samples per pixel: 1 = grayscale, 3 = RGB, 4 = RGBA. */
export type PngChannels = 1 | 3 | 4;

/** An 8-bit raster, rows top to bottom, channels interleaved. */
export interface Raster {
  width: number;
  height: number;
  channels: PngChannels;
  /** `width * height * channels` bytes. */
  data: Uint8Array;
}

const SIGNATURE = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);
/** PNG colour types by channel count (PNG spec, table 11.1). */
const COLOR_TYPE: Record<PngChannels, number> = { 1: 0, 3: 2, 4: 6 };

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309, the polynomial PNG chunks use). */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Encode a raster as PNG bytes.
 *
 * Every row uses filter type 0 (none): the images here are small, and zlib alone compresses
 * them well enough; per-row filter selection would add code for little gain.
 *
 * @example
 * ```ts
 * import { encodePng, pngInfo } from "./png.ts";
 * const png = encodePng({ width: 2, height: 1, channels: 1, data: new Uint8Array([0, 255]) });
 * console.assert(pngInfo(png).width === 2);
 * ```
 */
export function encodePng(raster: Raster): Uint8Array {
  const { width, height, channels, data } = raster;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`encodePng: size must be positive integers, got ${width}x${height}`);
  }
  if (!(channels in COLOR_TYPE)) {
    throw new RangeError(`encodePng: channels must be 1, 3 or 4, got ${channels}`);
  }
  const stride = width * channels;
  if (data.length !== stride * height) {
    throw new RangeError(
      `encodePng: expected ${stride * height} bytes for ${width}x${height}x${channels}, ` +
        `got ${data.length}`,
    );
  }
  const filtered = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    // The leading 0 byte of each row is the filter type (none).
    filtered.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = COLOR_TYPE[channels];
  // bytes 10-12: compression 0, filter method 0, no interlace
  const parts = [
    SIGNATURE,
    chunk("IHDR", header),
    chunk("IDAT", new Uint8Array(deflateSync(filtered))),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Size and format read from a PNG's IHDR chunk. */
export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
}

/**
 * Read the size and format of PNG bytes, checking the signature and that IHDR comes first.
 *
 * @example
 * ```ts
 * import { encodePng, pngInfo } from "./png.ts";
 * const png = encodePng({ width: 3, height: 2, channels: 3, data: new Uint8Array(18) });
 * console.assert(pngInfo(png).height === 2);
 * ```
 */
export function pngInfo(bytes: Uint8Array): PngInfo {
  if (bytes.length < 33 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new RangeError("pngInfo: not a PNG (bad signature or too short)");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (view.getUint32(8) !== 13 || type !== "IHDR") {
    throw new RangeError(`pngInfo: first chunk is ${type}, expected IHDR`);
  }
  if (view.getUint32(29) !== crc32(bytes.subarray(12, 29))) {
    throw new RangeError("pngInfo: IHDR CRC mismatch");
  }
  return {
    width: view.getUint32(16),
    height: view.getUint32(20),
    bitDepth: bytes[24],
    colorType: bytes[25],
  };
}

/** Base64 of bytes, chunked so large images do not overflow the argument limit. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** A `data:image/png;base64,...` URI for a raster, for `<image>` elements. */
export function pngDataUri(raster: Raster): string {
  return `data:image/png;base64,${toBase64(encodePng(raster))}`;
}
