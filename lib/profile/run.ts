/**
 * `adaspring profile`: the whole profiling run (DESIGN.md §5) for one task on one platform,
 * phase by phase with progress on stderr and wall times, resumable:
 *
 * 1. latency: on a measured platform (this machine) the per-block LUT, whole sampled
 *    configurations, the LUT's nn-Meter validation and the per-op calibration; on a modeled
 *    one, the roofline model with the host calibration (or the file's priors), labelled;
 * 2. energy and memory of the largest and smallest configurations, labelled;
 * 3. validation accuracy of sampled configurations (BN recalibrated), and the accuracy
 *    predictor with its held-out rank correlation and error;
 * 4. the Pareto set of the whole space; the artifact, plots and a report.
 *
 * Measurements are saved after each one (see `run_state.ts`); `resume` continues a run.
 *
 * @module
 */
import { LOW_RANK_DERIVATION } from "../supernet/lowrank_fit.ts";
import { dirname, join } from "node:path";
import { loadPlatformConfig } from "../config/platform.ts";
import { badInput } from "../errors.ts";
import { loadTaskConfig } from "../config/task.ts";
import { prepareDataset } from "../data/prepare.ts";
import { runDir, writeReport } from "../report/report.ts";
import { formatConfigId, parseConfigId } from "../supernet/config_id.ts";
import { calibrateBn } from "../supernet/bn_calibration.ts";
import { largestConfig, smallestConfig } from "../supernet/extremes.ts";
import { createSearchSpace } from "../supernet/space.ts";
import { createWeightStore } from "../supernet/weights.ts";
import { loadWeightStore } from "../supernet/weights_io.ts";
import { sha256Hex } from "../util/hash.ts";
import { createRng } from "../util/rng.ts";
import { fitAccuracyPredictor } from "./accuracy_predictor.ts";
import {
  paretoSection,
  predictorSection,
  PROFILE_SCHEMA_VERSION,
  type ProfileArtifact,
  writeProfile,
} from "./artifact.ts";
import { createHostSource, type HostSourceOptions } from "./host_source.ts";
import { lutObjective } from "./lut.ts";
import { type Calibration, modeledLatencyObjective } from "./latency_model.ts";
import { spacePareto } from "./pareto_space.ts";
import { writePredictionPlots } from "./plots.ts";
import { balancedProfile, balancedSection } from "./balanced_profile.ts";
import {
  distinctConfigs,
  headOf,
  measureAccuracies,
  type MeasuredAccuracy,
} from "./run_accuracy.ts";
import { referenceFigures } from "./run_figures.ts";
import {
  borrowedCalibration,
  calibrationSamples,
  hostCalibration,
  type MeasuredLatency,
  measureLatency,
} from "./run_latency.ts";
import { reportBody } from "./run_report.ts";
import { PhaseStore } from "./run_state.ts";
import {
  DEFAULT_PROTOCOL,
  type SampleStats,
  type TimingProtocol,
  type TimingSource,
} from "./timing.ts";

/** Options of {@link runProfile}. */
export interface ProfileOptions {
  /** Platform name (`configs/platforms/<name>.yaml`) or path. */
  readonly platform: string;
  /** Task name or path to a task YAML. */
  readonly task: string;
  /** A saved supernet weight store (manifest .json); default: freshly initialised (untrained). */
  readonly weights?: string;
  /** Run directory (default `runs/profile-<time>`). */
  readonly out?: string;
  /** Continue the run in this directory: saved measurements are not taken again. */
  readonly resume?: string;
  readonly seed?: number;
  /** Small counts for CI. */
  readonly quick?: boolean;
  readonly repeats?: number;
  readonly accuracySamples?: number;
  readonly latencySamples?: number;
  /** Validation samples evaluated per configuration. */
  readonly limit?: number;
  /**
   * Workers validating configurations in parallel (default: the machine's cores, at most 4;
   * the accuracies do not depend on it).
   */
  readonly workers?: number;
  /** Training samples for BN recalibration. */
  readonly bnSamples?: number;
  /** A host profile whose calibration a modeled platform uses. */
  readonly calibration?: string;
  /** A power-meter log (CSV `timestamp,watts`) and its window `start,end,inferences`. */
  readonly powerLog?: string;
  readonly powerWindow?: string;
  /** Configuration the power log recorded (default: the largest). */
  readonly powerConfig?: string;
  /** Dataset cache root (tests). */
  readonly cacheDir?: string;
  /** The timing source (default: onnxruntime-web here); tests wrap it to count calls. */
  readonly createSource?: (o: HostSourceOptions) => TimingSource;
  /** Progress lines (default: stderr). */
  readonly log?: (line: string) => void;
}

/** Counts the run used: measured now, and taken from a resumed run. */
export interface PhaseCounts {
  readonly lutEntries: { readonly measured: number; readonly resumed: number };
  readonly networks: { readonly measured: number; readonly resumed: number };
  readonly accuracies: { readonly measured: number; readonly resumed: number };
}

/** What {@link runProfile} produced. */
export interface ProfileResult {
  readonly dir: string;
  readonly artifactPath: string;
  readonly reportPath: string;
  readonly plots: readonly string[];
  readonly artifact: ProfileArtifact;
  readonly counts: PhaseCounts;
  readonly timingsMs: Readonly<Record<string, number>>;
  /** The report body (figures with provenance). */
  readonly body: Record<string, unknown>;
}

// 400 accuracy samples (300 to fit, 100 held out): on mnist the predictor's held-out Kendall
// tau rose steadily with training configurations (0.64 at 100, 0.72 at 150; measured on the
// 200-configuration profile), so 200 left it data-limited. The whole validation split (up to
// 10000 samples): with 1000, measurement noise alone (1.4 points at 74% on fashion) capped the
// tau of even a perfect predictor near 0.8; the split-half figure in the report shows the cap.
const FULL = { latencySamples: 150, accuracySamples: 400, limit: 10000, bnSamples: 256 };
const QUICK = { latencySamples: 8, accuracySamples: 10, limit: 100, bnSamples: 32 };
const QUICK_PROTOCOL: TimingProtocol = { warmup: 2, repeats: 5, trim: 0.1 };

/**
 * What identifies the weights a profile was made with: the manifest's SHA-256 (it holds the
 * binary's checksum) for a saved store, the seed for a freshly initialised one.
 *
 * @example
 * ```ts
 * import { weightsIdentity } from "./run.ts";
 * console.assert((await weightsIdentity(undefined, 3)) === "untrained:seed=3");
 * ```
 */
export async function weightsIdentity(weights: string | undefined, seed: number): Promise<string> {
  if (weights === undefined) return `untrained:seed=${seed}`;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(weights);
  } catch (err) {
    throw badInput(
      `${weights}: cannot read the weight store manifest (${(err as Error).message}); pass the ` +
        `.json written when the supernet was saved.`,
      err,
    );
  }
  return `sha256:${await sha256Hex(bytes)}`;
}

/** Folder of a profile run holding the BN statistics of its Pareto configurations. */
export const BN_CACHE_DIR = "bn-cache";

/** Name of the artifact of `platform` in a run directory. */
export function artifactName(platform: string): string {
  return `profile-${platform}.json`;
}

function progressPrinter(log: (line: string) => void, label: string) {
  let last = 0;
  return (done: number, total: number) => {
    const now = performance.now();
    if (done === total || now - last > 2000) {
      last = now;
      log(`  ${label}: ${done}/${total}`);
    }
  };
}

/** Run the whole profile; see the module doc. */
export async function runProfile(opts: ProfileOptions): Promise<ProfileResult> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const timingsMs: Record<string, number> = {};
  const t0 = performance.now();
  const phase = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    log(`[${name}]`);
    const s = performance.now();
    const r = await f();
    timingsMs[name] = performance.now() - s;
    log(`[${name}] ${(timingsMs[name] / 1000).toFixed(1)} s`);
    return r;
  };
  const quick = opts.quick ?? false;
  const defaults = quick ? QUICK : FULL;
  const protocol: TimingProtocol = {
    ...(quick ? QUICK_PROTOCOL : DEFAULT_PROTOCOL),
    ...(opts.repeats !== undefined ? { repeats: opts.repeats } : {}),
  };
  const latencySamples = opts.latencySamples ?? defaults.latencySamples;
  const accuracySamples = opts.accuracySamples ?? defaults.accuracySamples;
  const limit = opts.limit ?? defaults.limit;
  const bnSamples = opts.bnSamples ?? defaults.bnSamples;

  const loaded = await phase("load", async () => {
    const task = await loadTaskConfig(opts.task);
    const platform = await loadPlatformConfig(opts.platform);
    const space = createSearchSpace(task.config);
    const seed = opts.seed ?? task.config.seed;
    const data = await prepareDataset(task.config.name, task.config.dataset, {
      seed,
      baseDir: dirname(task.path),
      cacheDir: opts.cacheDir,
      onWarning: (m) => log(`warning: ${m}`),
    });
    const io = { inputChannels: data.inputShape[0], numClasses: data.classes.length };
    const store = opts.weights
      ? await loadWeightStore(opts.weights, space, io)
      : createWeightStore(space, io, seed);
    const weightsHash = await weightsIdentity(opts.weights, seed);
    return { task, platform, space, seed, data, store, weightsHash };
  });
  const { task, platform, space, seed, data, store, weightsHash } = loaded;
  const dir = opts.resume ?? runDir(opts.out, "profile");
  const resume = opts.resume !== undefined;
  await Deno.mkdir(dir, { recursive: true });
  const input = { inputShape: data.inputShape, numClasses: data.classes.length };
  const rng = createRng(seed).fork("profile");
  const trained = !store.origin.startsWith("untrained");
  const warnings: string[] = [];
  if (!trained) {
    warnings.push(
      `weights: ${store.origin}: the measured accuracies are those of an untrained supernet ` +
        `(near chance), so the accuracy predictor's figures and the Pareto front's accuracy ` +
        `axis are meaningless; pass --weights <store> from a trained supernet`,
    );
  }
  if (platform.config.latency === "modeled") {
    warnings.push(
      `platform ${platform.config.name}: every latency and energy figure is modeled ` +
        `(roofline from ${platform.path}), not measured on the device`,
    );
  }
  for (const w of warnings) log(`WARNING: ${w}`);
  const name = platform.config.name;
  const baseInputs = { task: task.hash, weights: weightsHash, seed };
  const refs = [largestConfig(space), smallestConfig(space)];

  let measured: MeasuredLatency | null = null;
  let calibration: Calibration | null = null;
  let calibrationNote: string;
  const lutCounts = { measured: 0, resumed: 0 }, netCounts = { measured: 0, resumed: 0 };
  if (platform.config.latency === "measured") {
    const source = (opts.createSource ?? createHostSource)({
      store,
      space,
      inputShape: data.inputShape,
    });
    const inputs = { ...baseInputs, platform: platform.hash, protocol, source: source.name };
    const lutState = await PhaseStore.open<SampleStats>(dir, `lut-${name}`, inputs, resume);
    const networkState = await PhaseStore.open<number>(dir, `networks-${name}`, inputs, resume);
    const sampled = distinctConfigs(space, rng.fork("latency"), latencySamples);
    measured = await phase("latency", () =>
      measureLatency({
        space,
        input,
        source,
        protocol,
        sampled,
        extra: refs,
        lutState,
        networkState,
        rng: rng.fork("validate"),
        onProgress: (p) => progressPrinter(log, p === "lut" ? "LUT units" : "whole networks"),
      }));
    lutCounts.resumed = lutState.resumed;
    lutCounts.measured = Object.keys(measured.lut.entries).length - lutState.resumed;
    netCounts.resumed = networkState.resumed;
    netCounts.measured = Object.keys(networkState.entries).length - networkState.resumed;
    const m = measured;
    const fitted = await phase("calibration", () => {
      const nets = sampled.map((config) => ({
        config,
        latencyMs: m.networkMs[formatConfigId(space, config)],
      }));
      return Promise.resolve(
        hostCalibration(platform.config, calibrationSamples(space, input, m.lut, nets)),
      );
    });
    calibration = fitted.calibration;
    calibrationNote = fitted.note;
  } else {
    const borrowed = await phase(
      "calibration",
      () => borrowedCalibration(opts.calibration, join(dir, artifactName("host")), task),
    );
    calibration = borrowed.calibration;
    calibrationNote = borrowed.note;
  }
  log(`  calibration: ${calibrationNote}`);

  const references = await phase("energy-memory", () =>
    referenceFigures({
      space,
      input,
      platform,
      configs: refs,
      measuredMs: measured?.networkMs,
      calibration: calibration ?? undefined,
      protocolSource: measured
        ? `${measured.lut.source}, trimmed mean of ${protocol.repeats} runs`
        : "",
      powerLog: opts.powerLog,
      powerWindow: opts.powerWindow,
      powerConfig: opts.powerConfig,
      runner: measured
        ? async (config) => {
          const src = (opts.createSource ?? createHostSource)({
            store,
            space,
            inputShape: data.inputShape,
          });
          return await src.prepare({ kind: "network", config });
        }
        : undefined,
    }));

  // The accuracies depend on how low-rank factors are derived (fit or plain SVD).
  const accInputs = {
    ...baseInputs,
    data: data.checksum,
    limit,
    bnSamples,
    derivation: LOW_RANK_DERIVATION,
  };
  const accState = await PhaseStore.open<MeasuredAccuracy>(dir, "accuracy", accInputs, resume);
  const accConfigs = distinctConfigs(space, rng.fork("accuracy"), accuracySamples);
  const pairs = await phase("accuracy", () =>
    measureAccuracies({
      space,
      store,
      data,
      configs: accConfigs,
      bnSamples,
      limit,
      workers: opts.workers ?? Math.max(1, Math.min(4, navigator.hardwareConcurrency ?? 1)),
      state: accState,
      onProgress: progressPrinter(log, "configurations evaluated"),
    }));
  const accCounts = {
    measured: Object.keys(accState.entries).length - accState.resumed,
    resumed: accState.resumed,
  };
  const fit = await phase(
    "predictor",
    () => Promise.resolve(fitAccuracyPredictor(space, pairs, { rng: rng.fork("predictor") })),
  );

  const latencyObjective = measured
    ? lutObjective(space, measured.lut, measured.validation.correction)
    : modeledLatencyObjective(
      space,
      input,
      platform.config as Extract<typeof platform.config, { latency: "modeled" }>,
      platform.path,
      calibration ?? undefined,
    );
  const paretoInput = {
    input,
    latency: latencyObjective,
    latencySource: measured
      ? `corrected LUT (${measured.lut.source}); held-out RMSPE ${
        measured.validation.corrected.rmspe.toFixed(1)
      }%`
      : `${platform.path}: roofline model, ${calibrationNote}`,
    power: platform.config.power,
    platformPath: platform.path,
  };
  const pareto = await phase(
    "pareto",
    () => Promise.resolve(spacePareto({ ...paretoInput, space, accuracy: fit.model })),
  );
  // An imbalanced validation split also gets a balanced-accuracy predictor and its front.
  const balanced = await phase("balanced", () =>
    Promise.resolve(balancedProfile(
      space,
      pairs,
      headOf(data.val, data.inputShape, limit).y,
      data.classes.length,
      rng.fork("balanced-predictor"),
      paretoInput,
    )));
  if (balanced.kind === "fitted") {
    log(
      `  balanced-accuracy predictor: held-out Kendall tau ${
        balanced.profile.predictor.quality.kendallTau.toFixed(2)
      }, front ${balanced.profile.pareto.front.length} configurations`,
    );
  } else if (balanced.reason !== "the validation split is balanced") {
    log(`  WARNING: no balanced-accuracy predictor: ${balanced.reason}`);
  }

  // BN statistics of every Pareto configuration, computed now and shipped with the profile
  // (`bn-cache/`), so the runtime evolution of a configuration the Pareto lookup returns reads
  // them instead of recalibrating on the device (search and adapt use this directory).
  const bnCached = await phase("bn-statistics", async () => {
    const calib = { x: data.train.x, inputShape: data.inputShape, key: data.checksum };
    let computed = 0;
    // The balanced-accuracy front's too: `search --metric balanced` deploys from it.
    const ids = new Set(pareto.front.map((p) => p.id));
    const front = [
      ...pareto.front,
      ...(balanced.kind === "fitted" ? balanced.profile.pareto.front : [])
        .filter((p) => !ids.has(p.id)),
    ];
    for (const p of front) {
      const r = await calibrateBn(store, space, parseConfigId(space, p.id), calib, {
        cacheDir: join(dir, BN_CACHE_DIR),
      });
      if (r.cached === null) computed++;
    }
    return { configurations: front.length, computed };
  });
  log(
    `  BN statistics: ${bnCached.configurations} Pareto configurations (${bnCached.computed} new)`,
  );

  const artifact: ProfileArtifact = {
    schemaVersion: PROFILE_SCHEMA_VERSION,
    task: { name: task.config.name, configHash: task.hash, path: task.path },
    supernet: { weightsHash, origin: store.origin, trained, derivation: LOW_RANK_DERIVATION },
    warnings,
    platform: {
      name,
      path: platform.path,
      hash: platform.hash,
      latency: platform.config.latency,
    },
    lut: measured ? { ...measured.lut, entries: { ...measured.lut.entries } } : null,
    latencyValidation: measured
      ? { ...measured.validation, points: [...measured.validation.points] }
      : null,
    calibration,
    accuracyPredictor: predictorSection(fit),
    pareto: paretoSection(pareto),
    ...(balanced.kind === "fitted" ? { balanced: balancedSection(balanced.profile) } : {}),
  };
  const counts: PhaseCounts = {
    lutEntries: lutCounts,
    networks: netCounts,
    accuracies: accCounts,
  };
  const out = await phase("write", async () => {
    const artifactPath = join(dir, artifactName(name));
    await writeProfile(artifactPath, artifact);
    const plotDir = join(dir, `plots-${name}`);
    await Deno.mkdir(plotDir, { recursive: true });
    const plots = await writePredictionPlots(plotDir, {
      latency: measured?.validation.points,
      accuracy: fit.points,
    });
    return { artifactPath, plots };
  });
  timingsMs.total = performance.now() - t0;
  const body = reportBody({
    artifact,
    counts,
    references,
    calibrationNote,
    settings: {
      quick,
      protocol,
      latencySamples,
      accuracySamples: accConfigs.length,
      valLimit: Math.min(limit, data.val.y.length),
      bnSamples,
      dataProvenance: data.provenance,
    },
    artifactPath: out.artifactPath,
    plots: out.plots,
  });
  const reportPath = await writeReport(dir, `report-profile-${name}.json`, {
    kind: "profile",
    seed,
    configPaths: [task.path, platform.path],
    timingsMs,
    body,
  });
  for (const w of warnings) log(`WARNING: ${w}`);
  return { dir, ...out, reportPath, artifact, counts, timingsMs, body };
}
