/**
 * `adaspring evaluate --suite NAME`: every task of the suite through `task_eval.ts`, then the
 * headline ratios per platform (`ratios.ts`), and the outputs under `results/<suite>/`:
 * `report.json` (the versioned report envelope with machine facts), `report.md` (paper-style
 * tables) and the plots. Stages cache their results under the work directory
 * (`runs/evaluate-<suite>/<task>/`), so an interrupted run resumes where it stopped and a
 * finished one regenerates the outputs without retraining.
 *
 * @module
 */
import { join } from "node:path";
import type { LoadedConfig } from "../config/source.ts";
import type { SuiteConfig } from "../config/suite.ts";
import { loadTaskConfig } from "../config/task.ts";
import { IMBALANCE_RATIO } from "../data/balance.ts";
import { writeReport } from "../report/report.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { badInput } from "../errors.ts";
import { renderMarkdown } from "./report_md.ts";
import { writePlots } from "./plots.ts";
import { summarizeRatios } from "./ratios.ts";
import { evaluateTask, type TaskEvaluation } from "./task_eval.ts";
import { setupTask } from "./task_setup.ts";

/** Options of {@link runSuite}. */
export interface SuiteRunOptions {
  readonly suite: LoadedConfig<SuiteConfig>;
  /** Where outputs go (default `results/<suite>`). */
  readonly outDir?: string;
  /** Where stages cache their work (default `runs/evaluate-<suite>`). */
  readonly workDir?: string;
  /** Only these tasks of the suite. */
  readonly tasks?: readonly string[];
  readonly log?: (line: string) => void;
}

/** Headline ratios of one platform over every task. */
export interface PlatformHeadline {
  readonly platform: string;
  readonly latencyProvenance: string;
  readonly latencyReduction: ReturnType<typeof summarizeRatios>;
  readonly efficiencyGain: ReturnType<typeof summarizeRatios>;
  /** (task, baseline) pairs without a match, with the reason. */
  readonly unmatched: readonly { task: string; baseline: string; reason: string }[];
  /** Median Pareto-lookup search time over tasks and contexts, microseconds (measured here). */
  readonly searchMedianUs: number | null;
  /** The same summary at the suite's looser tolerances (latency; efficiency is equal). */
  readonly sensitivity: readonly {
    readonly tolerance: number;
    readonly latencyReduction: ReturnType<typeof summarizeRatios>;
  }[];
}

/** The body of `report.json`. */
export interface EvaluationBody {
  readonly suite: SuiteConfig;
  readonly suitePath: string;
  readonly definitions: Readonly<Record<string, string>>;
  readonly headline: readonly PlatformHeadline[];
  /** Runtime evolution over every task's matched configurations, ms (measured here). */
  readonly evolutionMs: {
    readonly medianCached: number | null;
    readonly maxCached: number | null;
    readonly maxUncached: number | null;
    readonly configurations: number;
  };
  readonly paper: Readonly<Record<string, string>>;
  readonly tasks: readonly TaskEvaluation[];
  readonly wallSeconds: number;
}

export const DEFINITIONS = {
  latencyReduction: "baseline latency / AdaSpring latency, AdaSpring's model being the fastest " +
    "Pareto configuration of the platform with measured test accuracy >= the baseline's - " +
    "tolerance (balanced accuracy on an imbalanced test split where the baseline's is known: " +
    "the comparison's matchMetric); same platform, same provenance",
  efficiencyGain: "AdaSpring inferences per joule / baseline inferences per joule (= baseline " +
    "energy per inference / AdaSpring's)",
  accuracyDelta: "AdaSpring measured test accuracy - baseline measured test accuracy",
  balancedAccuracy: "mean recall over the classes present in the test labels (scikit-learn's " +
    "balanced_accuracy_score): 0.5 for two classes answered with one class everywhere, however " +
    "rare the other; reported beside accuracy for shared vs alone and the matches, the " +
    `informative one on an imbalanced test split (largest class >= ${IMBALANCE_RATIO}x the ` +
    "smallest), where baselines are matched on it",
  summary: "per platform: max ('up to', as the paper reports) and geometric mean over every " +
    "(task, baseline) pair with a match",
  energy: "modeled: platform activeWatts x latency (configs/platforms/*.yaml)",
  caseStudy: "per trace entry: latency and energy from the platform's predictor for every " +
    "model, accuracy measured on the test split (balanced accuracy, and chosen on predicted " +
    "balanced accuracy, where the platform's accuracyMetric says so: an imbalanced test split " +
    "whose profile predicts it); energy = energy/inference x rate x interval",
};

/** The definition added when the spanning configurations are trained alone with several seeds. */
export const ALONE_SEEDS_DEFINITION = "with the suite's baselines.aloneSeeds k > 1, every " +
  "spanning configuration is trained alone k times, seed j with weight-initialization seed " +
  "(suite seed + 1 + j) and data-order seed (suite seed + j), seed 0 being the run of the " +
  "'alone' column (the largest's: the backbone baseline); a configuration's spread is the max " +
  "- min of its seeds' test accuracies, the alone noise the mean spread over the set's " +
  "configurations: the noise floor a shared-vs-alone gap is to be judged against";

/** The definition added when a task's supernet is trained with several seeds. */
export const SUPERNET_SEEDS_DEFINITION = "with a task's supernet seeds k > 1 (supernet.seeds " +
  "or supernetByTask), k supernets are ensemble-trained with seeds suite seed + 0 .. k-1 " +
  "(weight initialization and training), at the same settings; supernet 0 is the one " +
  "profiled, searched and matched, and the spanning configurations are derived from each " +
  "(without retraining) for the 'derived' spread: max - min over the supernets, the derived " +
  "noise the mean spread over the set's configurations";

const PAPER = {
  latencyReduction: "up to 3.1x vs hand-crafted compression (AdaSpring, IMWUT 2021)",
  efficiencyGain: "up to 4.2x vs hand-crafted compression (AdaSpring, IMWUT 2021)",
  evolutionLatency: "<= 6.2 ms runtime evolution (AdaSpring, IMWUT 2021)",
};

/** Compute the headline of each platform from the task evaluations. */
export function headlines(tasks: readonly TaskEvaluation[]): PlatformHeadline[] {
  const names = [...new Set(tasks.flatMap((t) => t.platforms.map((p) => p.platform)))];
  return names.map((platform) => {
    const lat: number[] = [], eff: number[] = [], search: number[] = [];
    const unmatched = [];
    let provenance = "";
    for (const t of tasks) {
      const p = t.platforms.find((x) => x.platform === platform);
      if (!p) continue;
      provenance = p.latencyProvenance;
      for (const c of p.comparisons) {
        if (c.latencyReduction === null || c.efficiencyGain === null) {
          unmatched.push({ task: t.task, baseline: c.baseline, reason: c.reason ?? "" });
        } else {
          lat.push(c.latencyReduction);
          eff.push(c.efficiencyGain);
        }
      }
      for (const s of p.search) if (s.algorithm === "pareto") search.push(s.medianUs);
    }
    search.sort((a, b) => a - b);
    const tolerances = [
      ...new Set(
        tasks.flatMap((t) =>
          t.platforms.filter((x) => x.platform === platform).flatMap((x) =>
            x.sensitivity.map((v) => v.tolerance)
          )
        ),
      ),
    ];
    const sensitivity = tolerances.map((tolerance) => ({
      tolerance,
      latencyReduction: summarizeRatios(
        tasks.flatMap((t) =>
          t.platforms.filter((x) => x.platform === platform).flatMap((x) =>
            x.sensitivity.filter((v) => v.tolerance === tolerance).flatMap((v) =>
              v.pairs.map((q) => q.latencyReduction)
            )
          )
        ),
      ),
    }));
    return {
      platform,
      latencyProvenance: provenance,
      latencyReduction: summarizeRatios(lat),
      efficiencyGain: summarizeRatios(eff),
      unmatched,
      searchMedianUs: search.length ? search[search.length >> 1] : null,
      sensitivity,
    };
  });
}

/**
 * `supernetByTask` and `epochsByTask` keys must be task names (each task file's `name`, which
 * the stages look the override up by); checked before any task runs, loading only the task files.
 */
async function checkOverrides(path: string, suite: SuiteConfig): Promise<void> {
  const keyed = (["supernetByTask", "epochsByTask"] as const).flatMap((field) =>
    Object.keys(suite[field] ?? {}).map((task) => ({ field, task }))
  );
  if (keyed.length === 0) return;
  const names = await Promise.all(
    suite.tasks.map(async (t) => (await loadTaskConfig(t)).config.name),
  );
  for (const { field, task } of keyed) {
    if (!names.includes(task)) {
      throw badInput(
        `${path}: ${field}.${task} names no task of the suite (tasks: ` +
          `${names.join(", ")}); use one of those names or remove the entry`,
      );
    }
  }
}

/** Run the suite; returns the report path. */
export async function runSuite(
  o: SuiteRunOptions,
): Promise<{ reportPath: string; outDir: string }> {
  const log = o.log ?? ((l: string) => console.error(l));
  const suite = o.suite.config;
  const outDir = o.outDir ?? join("results", suite.name);
  const workDir = o.workDir ?? join("runs", `evaluate-${suite.name}`);
  const t0 = performance.now();
  await checkOverrides(o.suite.path, suite);
  const tasks: TaskEvaluation[] = [];
  for (const name of suite.tasks) {
    if (o.tasks && !o.tasks.includes(name)) continue;
    const t = await setupTask(name, suite, workDir, log);
    tasks.push(await evaluateTask(t, suite));
  }
  const evo = tasks.flatMap((t) => t.evolution);
  const body: EvaluationBody = {
    suite,
    suitePath: o.suite.path,
    definitions: {
      ...DEFINITIONS,
      ...(suite.baselines.aloneSeeds > 1 ? { aloneNoise: ALONE_SEEDS_DEFINITION } : {}),
      ...(tasks.some((t) => t.sharedVsAlone.supernetSeeds)
        ? { derivedNoise: SUPERNET_SEEDS_DEFINITION }
        : {}),
    },
    headline: headlines(tasks),
    evolutionMs: {
      medianCached: evo.length
        ? evo.map((e) => e.cached.value).sort((a, b) => a - b)[evo.length >> 1]
        : null,
      configurations: evo.length,
      maxCached: evo.length ? Math.max(...evo.map((e) => e.cached.value)) : null,
      maxUncached: evo.length ? Math.max(...evo.map((e) => e.uncached.value)) : null,
    },
    paper: PAPER,
    tasks,
    wallSeconds: (performance.now() - t0) / 1000,
  };
  await Deno.mkdir(outDir, { recursive: true });
  const plots = await writePlots(outDir, body);
  const reportPath = await writeReport(outDir, "report.json", {
    kind: "evaluate",
    seed: suite.seed,
    configPaths: [o.suite.path],
    body: { ...body, plots },
  });
  await writeFileAtomic(join(outDir, "report.md"), renderMarkdown(body, plots));
  return { reportPath, outDir };
}
