/**
 * `model bench`: latency of one model file on one backend, on random or file inputs.
 * Every timing is measured on this machine, in this process.
 *
 * @module
 */
import { badInput } from "../errors.ts";
import { withBatchSize } from "../onnx/batch.ts";
import { readModelFile } from "../onnx/file.ts";
import { encodeModel } from "../onnx/proto/encode.ts";
import type { TensorData } from "../onnx/types.ts";
import { createRng } from "../util/rng.ts";
import { declaredIo } from "./feeds.ts";
import { fileFeeds, randomFeeds } from "./inputs.ts";
import { createSession, parseBackend } from "./session.ts";
import { timed, timeRuns, type TimingStats, timingStats } from "./stats.ts";
import type { BackendName } from "./types.ts";

/** Options of {@link benchModelFile}. */
export interface ModelBenchOptions {
  readonly backend?: string;
  /** Replaces the inputs' first dimension (symbolic or static). */
  readonly batch?: number;
  readonly repeat?: number;
  readonly warmup?: number;
  /** Seed of the random inputs. */
  readonly seed?: number;
  /** `name=path` or `path` specs of input files; random inputs when empty. */
  readonly inputs?: readonly string[];
  /** Native intra-op threads (default 1). */
  readonly threads?: number;
}

/** What {@link benchModelFile} measured. */
export interface ModelBenchResult {
  readonly model: string;
  readonly backend: BackendName;
  readonly batch: number | null;
  readonly warmup: number;
  readonly inputs: readonly { name: string; dtype: string; shape: number[]; source: string }[];
  /** Session creation, including the one-off runtime start-up when it is the first (ms). */
  readonly sessionCreateMs: number;
  /** Per-run latency (ms). */
  readonly latencyMs: TimingStats;
  /** Samples per second at the median latency (first dimension = samples). */
  readonly samplesPerSecond: number;
}

/**
 * Loads `path`, opens a session and times `repeat` runs after `warmup` untimed ones.
 *
 * @throws {AdaspringError} for a missing/corrupt file, an unknown backend, bad input files.
 */
export async function benchModelFile(
  path: string,
  options: ModelBenchOptions = {},
): Promise<ModelBenchResult> {
  const backend = parseBackend(options.backend ?? "web");
  const repeat = options.repeat ?? 50;
  const warmup = options.warmup ?? 5;
  if (!(repeat >= 1)) throw badInput(`--repeat must be at least 1, got ${repeat}`);
  const loaded = await readModelFile(path);
  let model = loaded.model;
  let bytes = loaded.bytes;
  if (options.batch !== undefined) {
    const rebatched = withBatchSize(model, options.batch);
    if (rebatched !== model) {
      model = rebatched;
      bytes = encodeModel(model);
    }
  }
  const io = declaredIo(model);
  const dims: Record<string, number> = {};
  for (const v of io.inputs) {
    const first = v.shape?.[0];
    if (typeof first === "string" && options.batch !== undefined) dims[first] = options.batch;
  }
  const feeds: Record<string, TensorData> = options.inputs?.length
    ? await fileFeeds(io.inputs, options.inputs, dims)
    : randomFeeds(io.inputs, createRng(options.seed ?? 0).fork("model-bench"), dims);
  const [session, sessionCreateMs] = await timed(() =>
    createSession(bytes, { backend, source: path, threads: options.threads, cache: false })
  );
  try {
    const ms = await timeRuns(session, feeds, { warmup, repeat });
    const latencyMs = timingStats(ms);
    const first = Object.values(feeds)[0];
    const samples = first && first.shape.length > 0 ? first.shape[0] : 1;
    return {
      model: path,
      backend,
      batch: options.batch ?? null,
      warmup,
      inputs: io.inputs.map((v) => ({
        name: v.name,
        dtype: v.dtype,
        shape: [...feeds[v.name].shape],
        source: options.inputs?.length ? "file" : `random (seed ${options.seed ?? 0})`,
      })),
      sessionCreateMs,
      latencyMs,
      samplesPerSecond: (samples * 1000) / latencyMs.median,
    };
  } finally {
    await session.release();
  }
}
