/**
 * Rendering figures: Vega-Lite specs to SVG (headless Vega), SVG to PNG (resvg compiled to
 * WebAssembly), and writing both files of a figure atomically.
 *
 * Text in the PNG needs a font file, since resvg-wasm cannot see system fonts: DejaVu Sans from
 * Debian's `fonts-dejavu-core` by default, or the file named by `ADASPRING_FONT`, or the
 * `fontPath` option. All charts name "DejaVu Sans" as their font family, so the SVG and PNG use
 * the same metrics where DejaVu is installed; resvg falls back to whatever font was loaded
 * otherwise.
 *
 * @module
 */
import { compile, type TopLevelSpec } from "vega-lite";
import { parse, View } from "vega";
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import { dirname, join } from "node:path";
import { missingDependency } from "../errors.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { FONT_FAMILY } from "./theme.ts";

/** Where Debian's `fonts-dejavu-core` installs DejaVu Sans. */
export const DEFAULT_FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/** The bold face, looked for next to the regular one; Vega draws chart titles in bold. */
const BOLD_FONT_FILE = "DejaVuSans-Bold.ttf";

/** Options of {@link svgToPng}. */
export interface PngOptions {
  /** Pixels per SVG unit; 2 (the default) gives crisp text on high-density screens. */
  scale?: number;
  /** Background colour painted under the figure (CSS colour); default white. */
  background?: string;
  /** A TrueType/OpenType font file; default `ADASPRING_FONT`, else {@link DEFAULT_FONT_PATH}. */
  fontPath?: string;
}

let wasmReady: Promise<void> | undefined;
const fonts = new Map<string, Promise<Uint8Array[]>>();

/** Load resvg's WebAssembly once per process, from the installed package on disk. */
function ensureWasm(): Promise<void> {
  wasmReady ??= (async () => {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(new URL(import.meta.resolve("@resvg/resvg-wasm/index_bg.wasm")));
    } catch (err) {
      throw missingDependency(
        "@resvg/resvg-wasm: cannot read index_bg.wasm from the installed package " +
          `(${(err as Error).message}); run \`deno install\` in the repository root.`,
        err,
      );
    }
    await initWasm(bytes);
  })().catch((err) => {
    wasmReady = undefined; // let a later call retry, e.g. after `deno install`
    throw err;
  });
  return wasmReady;
}

function defaultFontPath(): string {
  try {
    return Deno.env.get("ADASPRING_FONT") || DEFAULT_FONT_PATH;
  } catch {
    return DEFAULT_FONT_PATH; // no --allow-env: use the default
  }
}

/**
 * The font at `path` (required) plus the DejaVu Sans bold face from the same directory when it
 * is there (optional: without it resvg draws bold text in the regular face).
 */
function loadFonts(path: string): Promise<Uint8Array[]> {
  let loaded = fonts.get(path);
  if (!loaded) {
    const regular = Deno.readFile(path).catch((err) => {
      throw missingDependency(
        `Font ${path} cannot be read (${(err as Error).message}); PNG figures need it to draw ` +
          "text. Install it with `apt-get install fonts-dejavu-core` (Debian/Ubuntu), or set " +
          "ADASPRING_FONT to the path of a .ttf file.",
        err,
      );
    });
    const bold = Deno.readFile(join(dirname(path), BOLD_FONT_FILE)).catch(() => undefined);
    loaded = Promise.all([regular, bold]).then((faces) => faces.filter((f) => f !== undefined));
    loaded.catch(() => fonts.delete(path)); // retry after the user installs the font
    fonts.set(path, loaded);
  }
  return loaded;
}

/**
 * Vega gives gradients and clip paths ids from process-wide counters, so the same chart rendered
 * twice gets different ids. Renumber them in order of first appearance so equal input gives
 * byte-equal SVG.
 */
function renumberDefIds(svg: string): string {
  const ids = new Map<string, string>();
  const counts = new Map<string, number>();
  return svg.replace(
    /(id="|url\(#)((?:p_)?(?:gradient_|clip))(\d+)(?=[")])/g,
    (_match, lead: string, prefix: string, n: string) => {
      const old = prefix + n;
      let id = ids.get(old);
      if (id === undefined) {
        const next = counts.get(prefix) ?? 0;
        counts.set(prefix, next + 1);
        id = prefix + next;
        ids.set(old, id);
      }
      return lead + id;
    },
  );
}

/**
 * Compile a Vega-Lite spec and render it to an SVG string with a headless Vega view.
 *
 * The spec's `config.font` defaults to {@link FONT_FAMILY}; anything else in `config` is kept.
 *
 * @example
 * ```ts
 * import { renderVegaLite } from "./render.ts";
 * const svg = await renderVegaLite({
 *   data: { values: [{ a: 1, b: 2 }] },
 *   mark: "point",
 *   encoding: { x: { field: "a", type: "quantitative" }, y: { field: "b", type: "quantitative" } },
 * });
 * console.assert(svg.startsWith("<svg"));
 * ```
 */
export async function renderVegaLite(spec: TopLevelSpec): Promise<string> {
  const withFont = {
    ...spec,
    config: { font: FONT_FAMILY, background: "white", ...spec.config },
  } as TopLevelSpec;
  const view = new View(parse(compile(withFont).spec), { renderer: "none" });
  try {
    return renumberDefIds(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/** RGBA pixels of a rasterized SVG, rows top to bottom. */
export interface Pixels {
  width: number;
  height: number;
  /** `width * height * 4` bytes, RGBA. */
  data: Uint8Array;
}

async function withRendered<T>(
  svg: string,
  opts: PngOptions,
  read: (image: ReturnType<InstanceType<typeof Resvg>["render"]>) => T,
): Promise<T> {
  const [fontBuffers] = await Promise.all([
    loadFonts(opts.fontPath ?? defaultFontPath()),
    ensureWasm(),
  ]);
  const resvg = new Resvg(svg, {
    font: { fontBuffers, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
    fitTo: { mode: "zoom", value: opts.scale ?? 2 },
    background: opts.background ?? "white",
  });
  try {
    const image = resvg.render();
    try {
      return read(image);
    } finally {
      image.free(); // resvg objects live in WebAssembly memory, not the JS heap
    }
  } finally {
    resvg.free();
  }
}

/**
 * Rasterize an SVG string to PNG bytes with resvg.
 *
 * Throws a `missingDependency` {@link AdaspringError} naming the fix when the font file is absent.
 *
 * @example
 * ```ts
 * import { svgToPng } from "./render.ts";
 * const png = await svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
 * console.assert(png[1] === 0x50); // "P" of the PNG signature
 * ```
 */
export function svgToPng(svg: string, opts: PngOptions = {}): Promise<Uint8Array> {
  return withRendered(svg, opts, (image) => image.asPng());
}

/**
 * Rasterize an SVG string to RGBA pixels with resvg (same options and errors as
 * {@link svgToPng}), e.g. to check what a figure shows.
 *
 * @example
 * ```ts
 * import { svgToPixels } from "./render.ts";
 * const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="2" height="1"><rect width="1" height="1" fill="red"/></svg>';
 * const { data } = await svgToPixels(svg, { scale: 1 });
 * console.assert(data[0] === 255 && data[1] === 0);
 * ```
 */
export function svgToPixels(svg: string, opts: PngOptions = {}): Promise<Pixels> {
  return withRendered(svg, opts, (image) => ({
    width: image.width,
    height: image.height,
    data: image.pixels.slice(),
  }));
}

/**
 * Write a figure as `<pathWithoutExt>.svg` and `<pathWithoutExt>.png`, each atomically.
 *
 * @example
 * ```ts
 * import { writeFigure } from "./render.ts";
 * const dir = await Deno.makeTempDir();
 * const paths = await writeFigure(`${dir}/empty`, '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
 * console.assert(paths.png.endsWith("empty.png"));
 * ```
 */
export async function writeFigure(
  pathWithoutExt: string,
  svg: string,
  opts: PngOptions = {},
): Promise<{ svg: string; png: string }> {
  const paths = { svg: `${pathWithoutExt}.svg`, png: `${pathWithoutExt}.png` };
  // Rasterize first: if that fails (no font), no lone SVG is left behind.
  const png = await svgToPng(svg, opts);
  await writeFileAtomic(paths.svg, svg);
  await writeFileAtomic(paths.png, png);
  return paths;
}
