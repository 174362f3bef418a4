/**
 * The report body of `profile` and its one-screen summary: every number is a figure with its
 * provenance (measured here, or modeled and by what), and the caveats come first.
 *
 * @module
 */
import { type Figure, measuredHere } from "../report/provenance.ts";
import type { ProfileArtifact } from "./artifact.ts";
import type { ReferenceResult } from "./run_figures.ts";
import type { TimingProtocol } from "./timing.ts";

/** What {@link reportBody} summarizes. */
export interface ReportBodyInput {
  readonly artifact: ProfileArtifact;
  readonly counts: unknown;
  readonly references: ReferenceResult;
  readonly calibrationNote: string;
  readonly settings: {
    readonly quick: boolean;
    readonly protocol: TimingProtocol;
    readonly latencySamples: number;
    readonly accuracySamples: number;
    readonly valLimit: number;
    readonly bnSamples: number;
    readonly dataProvenance: string;
  };
  readonly artifactPath: string;
  readonly plots: readonly string[];
}

/** The report body (figures with provenance). */
export function reportBody(inp: ReportBodyInput): Record<string, unknown> {
  const a = inp.artifact;
  const v = a.latencyValidation;
  const q = a.accuracyPredictor.quality;
  const validationSrc = `held-out whole-network measurements here vs the LUT prediction`;
  const accSrc = `held-out measured accuracies (${inp.settings.valLimit} validation samples, ` +
    `${inp.settings.dataProvenance} data) vs the ridge predictor`;
  const latencyValidation = v === null ? null : {
    heldOut: v.corrected.n,
    fittedOn: v.trainCount,
    correction: v.correction,
    raw: {
      rmspe: measuredHere(v.raw.rmspe, "%", validationSrc + " (plain sum)"),
      within10: measuredHere(v.raw.within10, "fraction", validationSrc + " (plain sum)"),
    },
    corrected: {
      rmspe: measuredHere(v.corrected.rmspe, "%", validationSrc + " (corrected)"),
      within10: measuredHere(v.corrected.within10, "fraction", validationSrc + " (corrected)"),
    },
  };
  return {
    warnings: a.warnings ?? [],
    task: a.task,
    weights: a.supernet.origin,
    weightsTrained: a.supernet.trained,
    platform: a.platform,
    settings: inp.settings,
    counts: inp.counts,
    lut: a.lut === null ? null : {
      entries: Object.keys(a.lut.entries).length,
      source: a.lut.source,
      protocol: a.lut.protocol,
    },
    latencyValidation,
    calibration: { note: inp.calibrationNote, fitted: a.calibration },
    references: inp.references,
    accuracyPredictor: {
      meaningful: a.supernet.trained === true,
      heldOut: q.n,
      lambda: a.accuracyPredictor.model.lambda,
      kendallTau: measuredHere(q.kendallTau, "tau", accSrc),
      splitHalfTau: q.splitHalfTau === null ? null : measuredHere(
        q.splitHalfTau,
        "tau",
        "the held-out configurations' accuracies on the even vs the odd validation samples " +
          "(measurement agreement at half the samples; bounds any predictor's tau)",
      ),
      spearman: measuredHere(q.spearman, "rho", accSrc),
      rmse: measuredHere(q.rmse, "fraction", accSrc),
      measuredAccuracy: accuracyRange(a),
    },
    pareto: {
      configurations: a.pareto.configurations,
      frontSize: a.pareto.front.length,
      timingsMs: a.pareto.timingsMs,
      note: "front points carry modeled (predicted) accuracy, latency and energy",
    },
    balancedAccuracyPredictor: balancedBody(a, inp.settings.valLimit),
    artifact: inp.artifactPath,
    plots: inp.plots,
  };
}

/** The balanced-accuracy predictor's quality and front (`balanced_profile.ts`), or null. */
function balancedBody(a: ProfileArtifact, valLimit: number): Record<string, unknown> | null {
  if (!a.balanced) return null;
  const q = a.balanced.predictor.quality;
  const src = `held-out measured balanced accuracies (${valLimit} validation samples) vs the ` +
    `ridge balanced-accuracy predictor`;
  return {
    heldOut: q.n,
    lambda: a.balanced.predictor.model.lambda,
    kendallTau: measuredHere(q.kendallTau, "tau", src),
    spearman: measuredHere(q.spearman, "rho", src),
    rmse: measuredHere(q.rmse, "fraction", src),
    frontSize: a.balanced.pareto.front.length,
    note: "the validation split is imbalanced: matching on balanced accuracy searches this front",
  };
}

function accuracyRange(a: ProfileArtifact): { min: Figure; max: Figure } {
  const xs = a.accuracyPredictor.points.map((p) => p.measured);
  const src = "validation accuracy measured here (BN recalibrated)";
  return {
    min: measuredHere(Math.min(...xs), "fraction", src),
    max: measuredHere(Math.max(...xs), "fraction", src),
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** A short human summary of an artifact (the `profile show` text, and the end of `profile`). */
export function summarizeProfile(a: ProfileArtifact): string {
  const lines: string[] = [];
  for (const w of a.warnings ?? []) lines.push(`WARNING: ${w}`);
  lines.push(
    `profile of task ${a.task.name} on platform ${a.platform.name} (latency ${a.platform.latency})`,
    `weights: ${a.supernet.origin ?? a.supernet.weightsHash}`,
  );
  if (a.lut) {
    const p = a.lut.protocol;
    lines.push(
      `LUT: ${Object.keys(a.lut.entries).length} entries (${a.lut.source}; warm-up ${p.warmup}, ` +
        `${p.repeats} runs, trim ${p.trim})`,
    );
  }
  const v = a.latencyValidation;
  if (v) {
    lines.push(
      `LUT vs whole networks (${v.corrected.n} held out, measured here): raw RMSPE ` +
        `${v.raw.rmspe.toFixed(1)}%, ${pct(v.raw.within10)} within +-10%; corrected RMSPE ` +
        `${v.corrected.rmspe.toFixed(1)}%, ${pct(v.corrected.within10)} within +-10%`,
    );
  }
  if (a.calibration) {
    const e = Object.entries(a.calibration.efficiency).map(([k, x]) => `${k} ${x!.toFixed(3)}`);
    lines.push(
      `calibration: efficiency ${e.join(", ")}; overhead ${
        a.calibration.overheadMs.toFixed(3)
      } ms` +
        ` (fit RMSPE ${a.calibration.fitRmspe.toFixed(1)}%)`,
    );
  }
  const q = a.accuracyPredictor.quality;
  lines.push(
    `accuracy predictor (${q.n} held out${
      a.supernet.trained === false ? ", UNTRAINED weights: meaningless" : ""
    }): ` +
      `Kendall tau ${q.kendallTau.toFixed(3)}, Spearman ${q.spearman.toFixed(3)}, RMSE ${
        q.rmse.toFixed(4)
      }` +
      (q.splitHalfTau === null
        ? ""
        : `; split-half tau of the measurement itself ${q.splitHalfTau.toFixed(3)}`),
    `Pareto front: ${a.pareto.front.length} of ${a.pareto.configurations} configurations (modeled)`,
  );
  if (a.balanced) {
    const b = a.balanced.predictor.quality;
    lines.push(
      `balanced-accuracy predictor (imbalanced validation split; ${b.n} held out): Kendall tau ` +
        `${b.kendallTau.toFixed(3)}, RMSE ${b.rmse.toFixed(4)}; its front: ` +
        `${a.balanced.pareto.front.length} configurations`,
    );
  }
  return lines.join("\n");
}
