/**
 * A grid of small labelled images (dataset samples such as MNIST digits), as hand-built SVG.
 *
 * Why not Vega: one rect per pixel makes 63,000 marks for 10 x 8 MNIST digits, slow to lay out
 * and a multi-megabyte SVG. Instead each sample is one `<image>` holding a PNG data URI (see
 * png.ts), which browsers, Inkscape and resvg all render (tests/plot checks resvg pixel by
 * pixel). Each bitmap is upscaled here by an integer factor with nearest-neighbour sampling and
 * shown at its natural size, because viewers disagree on how to honour `image-rendering`:
 * resvg 2.6 ignores the CSS value "pixelated" and smooths, so a 28 x 28 digit stretched by the
 * viewer would blur.
 *
 * @module
 */
import { pngDataUri, type Raster } from "./png.ts";
import { image, svgDocument, text } from "./svg.ts";

/** One image of an {@link imageGrid}. */
export interface GridImage {
  /** `height * width * channels` values: bytes 0-255, or floats (see `valueRange`). */
  pixels: Float32Array | Uint8Array;
  height: number;
  width: number;
  /** 1 (grayscale, the default) or 3 (RGB). */
  channels?: 1 | 3;
  /** Caption under the image, e.g. the class name. */
  label: string;
}

/** Options of {@link imageGrid}. */
export interface ImageGridOptions {
  /** Images per row. */
  columns: number;
  /** Figure title. */
  title?: string;
  /**
   * Target display size of an image's longer side, in SVG pixels (default 56). Rounded down to
   * a whole multiple of the image size, at least 1x, so pixels stay square and sharp.
   */
  cellSize?: number;
  /** Memory order of multi-channel pixels: "chw" (planar, ONNX's NCHW; default) or "hwc". */
  layout?: "chw" | "hwc";
  /**
   * Values shown as black and white for float pixels. Default: each image's own min and max
   * (a constant image shows black). Byte pixels always use 0-255.
   */
  valueRange?: [number, number];
}

const GAP = 6;
const LABEL_SIZE = 10;
const LABEL_HEIGHT = 14;
const TITLE_SIZE = 14;
const TITLE_HEIGHT = 26;
/** Rough DejaVu Sans advance per character in em, to size columns for captions. */
const CHAR_EM = 0.62;

function toBytes(img: GridImage, opts: ImageGridOptions): Uint8Array {
  if (img.pixels instanceof Uint8Array) return img.pixels;
  let [lo, hi] = opts.valueRange ?? [Infinity, -Infinity];
  if (!opts.valueRange) {
    for (const v of img.pixels) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const span = hi > lo ? hi - lo : Infinity;
  const out = new Uint8Array(img.pixels.length);
  for (let i = 0; i < out.length; i++) {
    const v = Math.round((255 * (img.pixels[i] - lo)) / span);
    out[i] = v > 0 ? Math.min(v, 255) : 0; // NaN lands here too, as black
  }
  return out;
}

/** The image as an interleaved raster upscaled `k` times by pixel replication. */
function toRaster(img: GridImage, opts: ImageGridOptions, k: number): Raster {
  const c = img.channels ?? 1;
  const { width: w, height: h } = img;
  const src = toBytes(img, opts);
  const planar = opts.layout !== "hwc";
  const data = new Uint8Array(w * k * h * k * c);
  for (let y = 0; y < h * k; y++) {
    for (let x = 0; x < w * k; x++) {
      const p = Math.floor(y / k) * w + Math.floor(x / k);
      for (let ch = 0; ch < c; ch++) {
        data[(y * w * k + x) * c + ch] = src[planar ? ch * w * h + p : p * c + ch];
      }
    }
  }
  return { width: w * k, height: h * k, channels: c, data };
}

function validate(images: GridImage[], opts: ImageGridOptions): void {
  if (images.length === 0) throw new RangeError("imageGrid: no images");
  if (!Number.isInteger(opts.columns) || opts.columns < 1) {
    throw new RangeError(`imageGrid: columns must be a positive integer, got ${opts.columns}`);
  }
  for (const [i, img] of images.entries()) {
    const c = img.channels ?? 1;
    if (c !== 1 && c !== 3) throw new RangeError(`imageGrid: image ${i} has ${c} channels`);
    if (img.pixels.length !== img.height * img.width * c) {
      throw new RangeError(
        `imageGrid: image ${i} ("${img.label}") has ${img.pixels.length} values, expected ` +
          `${img.height}x${img.width}x${c}`,
      );
    }
  }
}

function fitLabel(label: string, width: number): string {
  const max = Math.max(1, Math.floor(width / (CHAR_EM * LABEL_SIZE)));
  return label.length <= max ? label : label.slice(0, max - 1) + "\u2026";
}

/**
 * Draw images in a grid, `columns` per row, each captioned with its label.
 *
 * @example
 * ```ts
 * import { imageGrid } from "./images.ts";
 * const pixels = new Uint8Array(28 * 28).map((_, i) => (i * 7) % 256);
 * const svg = imageGrid([{ pixels, height: 28, width: 28, label: "7" }], { columns: 8 });
 * console.assert(svg.includes("data:image/png;base64,"));
 * ```
 */
export function imageGrid(images: GridImage[], opts: ImageGridOptions): string {
  validate(images, opts);
  const maxW = Math.max(...images.map((img) => img.width));
  const maxH = Math.max(...images.map((img) => img.height));
  const k = Math.max(1, Math.floor((opts.cellSize ?? 56) / Math.max(maxW, maxH)));
  const longest = Math.max(...images.map((img) => img.label.length));
  // Columns widen for captions, up to twice the image width; longer captions are truncated.
  // Whole pixels keep every bitmap on the pixel grid, so resvg copies it without resampling.
  const colWidth = Math.ceil(
    Math.max(maxW * k, Math.min(2 * maxW * k, longest * CHAR_EM * LABEL_SIZE)),
  );
  const rowHeight = maxH * k + LABEL_HEIGHT;
  const columns = Math.min(opts.columns, images.length);
  const rows = Math.ceil(images.length / columns);
  const top = opts.title ? TITLE_HEIGHT : GAP;
  const width = GAP + columns * (colWidth + GAP);
  const height = top + rows * (rowHeight + GAP);
  const body: string[] = [];
  if (opts.title) {
    body.push(text(width / 2, 18, opts.title, { size: TITLE_SIZE, anchor: "middle" }));
  }
  for (const [i, img] of images.entries()) {
    const x0 = GAP + (i % columns) * (colWidth + GAP);
    const y0 = top + Math.floor(i / columns) * (rowHeight + GAP);
    const w = img.width * k;
    const h = img.height * k;
    const x = x0 + Math.floor((colWidth - w) / 2);
    const y = y0 + Math.floor((maxH * k - h) / 2);
    body.push(image(x, y, w, h, pngDataUri(toRaster(img, opts, k))));
    body.push(
      text(x0 + colWidth / 2, y0 + maxH * k + LABEL_HEIGHT - 3, fitLabel(img.label, colWidth), {
        size: LABEL_SIZE,
        anchor: "middle",
      }),
    );
  }
  return svgDocument(width, height, body);
}
