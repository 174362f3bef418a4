/**
 * Small fixture builders for the data tests: IDX files (raw or gzipped) and sensor CSVs.
 *
 * @module
 */
import { gzipSync } from "node:zlib";

/** Encode a uint8 IDX array with the given dims. */
export function encodeIdxU8(dims: number[], values: ArrayLike<number>): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header.set([0, 0, 0x08, dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + values.length);
  out.set(header);
  out.set(Uint8Array.from(values), header.length);
  return out;
}

/** Write a 4-file MNIST-like directory of `n` train and `m` test 2x3 images. */
export async function writeIdxDir(
  dir: string,
  opts: { n?: number; m?: number; gzip?: boolean; classes?: number } = {},
): Promise<void> {
  const { n = 20, m = 10, gzip = false, classes = 10 } = opts;
  const enc = (b: Uint8Array) => (gzip ? gzipSync(b) : b);
  const suffix = gzip ? ".gz" : "";
  const images = (count: number) =>
    encodeIdxU8([count, 2, 3], Array.from({ length: count * 6 }, (_, i) => (i * 37) % 256));
  const labels = (count: number) =>
    encodeIdxU8([count], Array.from({ length: count }, (_, i) => i % classes));
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(`${dir}/train-images-idx3-ubyte${suffix}`, enc(images(n)));
  await Deno.writeFile(`${dir}/train-labels-idx1-ubyte${suffix}`, enc(labels(n)));
  await Deno.writeFile(`${dir}/t10k-images-idx3-ubyte${suffix}`, enc(images(m)));
  await Deno.writeFile(`${dir}/t10k-labels-idx1-ubyte${suffix}`, enc(labels(m)));
}

/**
 * A sensor CSV: `motes` motes of `readings` readings each, humidity 40 + small ripple,
 * temperature 20, and readings `events[mote]` = [from, to) (0-based) labelled 1 with humidity 90.
 */
export function sensorCsv(
  motes: number,
  readings: number,
  events: Record<number, [number, number]> = {},
): string {
  const lines = ["reading,mote_id,indoor,humidity,temperature,label"];
  for (let mote = 1; mote <= motes; mote++) {
    for (let i = 0; i < readings; i++) {
      const [a, b] = events[mote] ?? [-1, -1];
      const event = i >= a && i < b;
      const humidity = event ? 90 : 40 + (i % 5) * 0.1;
      lines.push(`${i + 1},${mote},1,${humidity.toFixed(2)},20.00,${event ? 1 : 0}`);
    }
  }
  return lines.join("\n") + "\n";
}
