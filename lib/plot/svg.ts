/**
 * Helpers for hand-built SVG (image grids, heatmaps): escaping, number formatting, text and the
 * document wrapper. Output is plain SVG 1.1 so that browsers, Inkscape and resvg agree.
 *
 * @module
 */
import { FONT_FAMILY } from "./theme.ts";

/** Escape text for use in SVG character data and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Format a coordinate compactly and deterministically (at most 2 decimals). */
export function num(x: number): string {
  return String(Math.round(x * 100) / 100);
}

/** Attributes of {@link text}. */
export interface TextOptions {
  size?: number;
  anchor?: "start" | "middle" | "end";
  weight?: "normal" | "bold";
  fill?: string;
}

/** A `<text>` element with escaped content. */
export function text(x: number, y: number, content: string, opts: TextOptions = {}): string {
  const weight = opts.weight === "bold" ? ` font-weight="bold"` : "";
  return `<text x="${num(x)}" y="${num(y)}" font-size="${opts.size ?? 11}" ` +
    `text-anchor="${opts.anchor ?? "start"}" fill="${opts.fill ?? "#000"}"${weight}>` +
    `${escapeXml(content)}</text>`;
}

/**
 * Wrap body elements in an `<svg>` root of the given size with a white background and the
 * figure font. Sizes are rounded up to whole pixels so the PNG has no partial edge.
 */
export function svgDocument(width: number, height: number, body: string[]): string {
  const w = Math.ceil(width);
  const h = Math.ceil(height);
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ` +
    `version="1.1" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" ` +
    `font-family="${FONT_FAMILY}, sans-serif">` +
    `<rect width="${w}" height="${h}" fill="white"/>` +
    body.join("") + `</svg>`;
}

/**
 * An `<image>` showing a PNG data URI at its natural pixel size.
 *
 * `xlink:href` rather than `href`: SVG 1.1 viewers (older Inkscape, librsvg) only know the
 * former, and SVG 2 viewers and resvg accept both. `image-rendering="optimizeSpeed"` asks for
 * nearest-neighbour sampling when a viewer zooms; callers still upscale bitmaps themselves
 * (see images.ts), because viewers disagree on that hint.
 */
export function image(x: number, y: number, w: number, h: number, dataUri: string): string {
  return `<image x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(h)}" ` +
    `preserveAspectRatio="none" image-rendering="optimizeSpeed" xlink:href="${dataUri}"/>`;
}
