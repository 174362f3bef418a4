/**
 * `model bench-suite`: one run that measures, side by side on this machine,
 * - latency of two reference CNNs (plain and depthwise-separable, 3x32x32) at batch 1 and 64
 *   on the web backend and, when installed, the native one, with the web/native ratio;
 * - session creation: the first session in the process (runtime start-up) and later ones;
 * - throughput of a {@link WorkerPool} with 2 workers against 1.
 *
 * Ratios are taken within this run, since the machine's speed drifts between runs.
 *
 * @module
 */
import { plainCnn, separableCnn } from "../onnx/examples.ts";
import { countParameters, estimateCost } from "../onnx/flops.ts";
import { encodeModel } from "../onnx/proto/encode.ts";
import type { ModelData } from "../onnx/types.ts";
import { type Figure, measuredHere } from "../report/provenance.ts";
import { createRng } from "../util/rng.ts";
import { declaredIo } from "./feeds.ts";
import { randomFeeds } from "./inputs.ts";
import { NATIVE_INSTALL_COMMAND, nativeAvailable } from "./native.ts";
import { WorkerPool } from "./pool.ts";
import { createSession } from "./session.ts";
import { timed, timeRuns, timingStats } from "./stats.ts";
import type { BackendName } from "./types.ts";

/** Options of {@link runBenchSuite}. */
export interface SuiteOptions {
  readonly seed?: number;
  /** Timed runs at batch 1 (default 50) and batch 64 (default 10). */
  readonly repeatSmall?: number;
  readonly repeatLarge?: number;
  /** Untimed runs before each timing (default 10). */
  readonly warmup?: number;
  /** Session creations timed after the first (default 10). */
  readonly sessions?: number;
  /** Batches pushed through the pool per worker count (default 24) and their size (16). */
  readonly poolRuns?: number;
  readonly poolBatch?: number;
  /** Skip the native backend even when installed. */
  readonly webOnly?: boolean;
  /** Progress messages. */
  readonly onProgress?: (message: string) => void;
}

const SOURCE = "adaspring model bench-suite";
const ms = (v: number) => measuredHere(v, "ms", SOURCE);
const ratio = (v: number) => measuredHere(v, "ratio", SOURCE);

interface Workload {
  readonly name: string;
  readonly model: ModelData;
  readonly bytes: Uint8Array;
}

/** The first session of a backend in this process: it includes the runtime's start-up. */
async function firstSession(backend: BackendName, w: Workload): Promise<Figure> {
  const [s, t] = await timed(() => createSession(w.bytes, { backend, cache: false }));
  await s.release();
  return ms(t);
}

/** Later session creations and cache hits on bytes already loaded (medians of `n` each). */
async function laterSessions(backend: BackendName, w: Workload, n: number) {
  const later: number[] = [];
  for (let i = 0; i < n; i++) {
    const [s, t] = await timed(() => createSession(w.bytes, { backend, cache: false }));
    later.push(t);
    await s.release();
  }
  const miss = await createSession(w.bytes, { backend });
  const hits: number[] = [];
  for (let i = 0; i < n; i++) {
    const [hit, t] = await timed(() => createSession(w.bytes, { backend }));
    hits.push(t);
    await hit.release();
  }
  await miss.release();
  return {
    laterMedianMs: ms(timingStats(later).median),
    cacheHitMedianMs: ms(timingStats(hits).median),
  };
}

async function latency(
  backend: BackendName,
  w: Workload,
  batch: number,
  o: Required<SuiteOptions>,
) {
  const s = await createSession(w.bytes, { backend, cache: false });
  try {
    const feeds = randomFeeds(declaredIo(w.model).inputs, createRng(o.seed).fork(w.name), {
      N: batch,
    });
    const repeat = batch === 1 ? o.repeatSmall : o.repeatLarge;
    const stats = timingStats(await timeRuns(s, feeds, { warmup: o.warmup, repeat }));
    return {
      runs: repeat,
      medianMs: ms(stats.median),
      minMs: ms(stats.min),
      p90Ms: ms(stats.p90),
      samplesPerSecond: measuredHere((batch * 1000) / stats.median, "samples/s", SOURCE),
    };
  } finally {
    await s.release();
  }
}

async function poolThroughput(w: Workload, workers: number, o: Required<SuiteOptions>) {
  const pool = WorkerPool.create({ size: workers });
  try {
    const m = await pool.load(w.bytes, { warmup: o.warmup, warmupDims: { N: o.poolBatch } });
    const feeds = randomFeeds(m.inputs, createRng(o.seed).fork("pool"), { N: o.poolBatch });
    const runs = o.poolRuns * workers;
    const [, wall] = await timed(() =>
      Promise.all(Array.from({ length: runs }, () => pool.run(m, feeds)))
    );
    return {
      workers,
      runs,
      wallMs: ms(wall),
      samplesPerSecond: measuredHere((runs * o.poolBatch * 1000) / wall, "samples/s", SOURCE),
    };
  } finally {
    await pool.close();
  }
}

/** Runs the suite; returns a report body whose figures are all labelled measured-here. */
export async function runBenchSuite(options: SuiteOptions = {}): Promise<Record<string, unknown>> {
  const o: Required<SuiteOptions> = {
    seed: 0,
    repeatSmall: 50,
    repeatLarge: 10,
    warmup: 10,
    sessions: 10,
    poolRuns: 24,
    poolBatch: 16,
    webOnly: false,
    onProgress: () => {},
    ...options,
  };
  // Other processes skew these figures (most of all the pool speed-up on a 2-core machine):
  // the load average before and after is recorded so a reader can judge.
  const loadBefore = loadAverage();
  const rng = createRng(o.seed);
  const workloads: Workload[] = [
    { name: "plain-cnn", model: plainCnn(rng.fork("plain")) },
    { name: "separable-cnn", model: separableCnn(rng.fork("separable")) },
  ].map((w) => ({ ...w, bytes: encodeModel(w.model) }));
  const backends: BackendName[] = ["web"];
  const native = !o.webOnly && nativeAvailable();
  if (native) backends.push("native");

  // The first session must come first; the other creations come after the latency runs,
  // since creating and releasing many sessions slows the next ~100 web runs (measured).
  const first: Record<string, Figure> = {};
  for (const b of backends) {
    o.onProgress(`first session (${b})`);
    first[b] = await firstSession(b, workloads[0]);
  }

  const rows = [];
  for (const w of workloads) {
    for (const batch of [1, 64]) {
      const row: Record<string, unknown> = { model: w.name, batch };
      for (const b of backends) {
        o.onProgress(`latency ${w.name} batch ${batch} (${b})`);
        row[b] = await latency(b, w, batch, o);
      }
      if (native) {
        const web = (row.web as { medianMs: Figure }).medianMs.value;
        const nat = (row.native as { medianMs: Figure }).medianMs.value;
        row.webOverNative = ratio(web / nat);
      }
      rows.push(row);
    }
  }

  const creation: Record<string, unknown> = {};
  for (const b of backends) {
    o.onProgress(`later sessions (${b})`);
    creation[b] = { firstMs: first[b], ...await laterSessions(b, workloads[0], o.sessions) };
  }
  if (!native) creation.native = { skipped: nativeSkipReason(o.webOnly) };

  o.onProgress("worker pool, 1 worker");
  const one = await poolThroughput(workloads[0], 1, o);
  o.onProgress("worker pool, 2 workers");
  const two = await poolThroughput(workloads[0], 2, o);

  return {
    models: workloads.map((w) => ({
      name: w.name,
      description: w.model.docString,
      macsPerImage: estimateCost(w.model.graph, { N: 1 }).macs,
      parameters: countParameters(w.model.graph).parameters,
      modelBytes: w.bytes.length,
    })),
    settings: {
      seed: o.seed,
      warmup: o.warmup,
      repeatBatch1: o.repeatSmall,
      repeatBatch64: o.repeatLarge,
      threads: "1 per session (web: WASM, 1 thread; native: intraOpNumThreads 1)",
      logicalCores: navigator.hardwareConcurrency,
      loadAverage1mBefore: loadBefore,
      loadAverage1mAfter: loadAverage(),
    },
    sessionCreation: creation,
    latency: rows,
    workerPool: {
      model: workloads[0].name,
      batch: o.poolBatch,
      oneWorker: one,
      twoWorkers: two,
      speedup: ratio(two.samplesPerSecond.value / one.samplesPerSecond.value),
    },
  };
}

/** The 1-minute load average, or null where the OS does not expose it. */
function loadAverage(): number | null {
  try {
    return Deno.loadavg()[0];
  } catch {
    return null;
  }
}

function nativeSkipReason(webOnly: boolean): string {
  if (webOnly) return "skipped by request (--web-only)";
  return `native backend not available (install: ${NATIVE_INSTALL_COMMAND}; needs --allow-ffi)`;
}
