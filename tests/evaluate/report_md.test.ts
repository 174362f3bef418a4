import { DERIVED_ACCURACY_FILE } from "../../lib/evaluate/measure.ts";
import assert from "node:assert/strict";
import { taskMatching } from "../../lib/evaluate/matching.ts";
import {
  matchedPairsCell,
  matchingMarkdown,
  missingBalancedStages,
  renderMarkdown,
  sharedVsAloneMarkdown,
  supernetExtras,
} from "../../lib/evaluate/report_md.ts";
import { testBalance } from "../../lib/data/balance.ts";
import {
  aloneNoiseStats,
  derivedNoiseStats,
  derivedSeedFields,
  gapStats,
  sharedVsAloneRow,
  type TestMeasurement,
} from "../../lib/evaluate/shared_vs_alone.ts";
import type { TaskEvaluation } from "../../lib/evaluate/task_eval.ts";
import { measuredHere } from "../../lib/report/provenance.ts";

type Section = Pick<TaskEvaluation, "task" | "dataset" | "sharedVsAlone">;

/** A sensor-like task: 769 normal and 7 anomalous test windows; `m` gives each measurement. */
function section(
  m: (name: string, side: "alone" | "derived") => TestMeasurement,
  testClassCounts: number[] | null = [769, 7],
): Section {
  const rows = [
    ["spanning", "largest"],
    ["spanning", "smallest"],
    ["baselines", "backbone"],
  ].map(([set, name]) =>
    sharedVsAloneRow(
      set as "spanning" | "baselines",
      name,
      `b0:${name}|q8`,
      m(name, "alone"),
      m(name, "derived"),
    )
  );
  const time = measuredHere(10, "s", "training");
  return {
    task: "sensor",
    dataset: {
      provenance: "test",
      samples: { train: 1, val: 1, test: 776 },
      ...(testClassCounts ? { testClassCounts } : {}),
    },
    sharedVsAlone: {
      rows,
      spanning: { ...gapStats(rows.filter((r) => r.set === "spanning")), aloneTrainTime: time },
      baselines: { ...gapStats(rows.filter((r) => r.set === "baselines")), aloneTrainTime: time },
      supernetTrainTime: time,
    },
  };
}

const measured = (name: string, side: "alone" | "derived"): TestMeasurement => ({
  testAccuracy: 769 / 776,
  testBalancedAccuracy: side === "alone" ? 0.75 : name === "smallest" ? 0.5 : 0.625,
  testSamples: 776,
});

Deno.test("report.md shared vs alone: balanced columns, balanced gaps, imbalance stated", () => {
  const md = sharedVsAloneMarkdown(section(measured), "paper").join("\n");
  assert.match(md, /\| alone % \| derived % \| gap \| balanced alone % \| balanced derived % \|/);
  // The smallest: same accuracy alone and derived, balanced 75.00 vs 50.00.
  assert.match(md, /\| smallest \| 99\.10 \| 99\.10 \| 0\.00 \| 75\.00 \| 50\.00 \| 25\.00 \|/);
  assert.match(
    md,
    /Spanning set .*accuracy mean gap 0\.00 points, worst 0\.00; balanced accuracy mean gap 18\.75 points, worst 25\.00;/,
  );
  assert.match(
    md,
    /Baseline configurations: .*balanced accuracy mean gap 12\.50 points, worst 12\.50;/,
  );
  assert.match(
    md,
    /imbalanced \(its classes have 7 to 769 of its 776 samples; .* 99\.10% accuracy\)/,
  );
  assert.match(md, /balanced accuracy is the informative comparison/);
  assert.doesNotMatch(md, /—/, "nothing missing");
  // The configuration id's `|` is escaped so the table keeps its columns.
  for (const line of md.split("\n").filter((l) => l.startsWith("| spanning"))) {
    assert.equal(line.split(/(?<!\\)\|/).length - 2, 9, line);
  }
});

Deno.test("report.md shared vs alone: a balanced test split is not called imbalanced", () => {
  const md = sharedVsAloneMarkdown(section(measured, [400, 376]), "paper").join("\n");
  assert.doesNotMatch(md, /imbalanced/);
  const unknown = sharedVsAloneMarkdown(section(measured, null), "paper").join("\n");
  assert.doesNotMatch(unknown, /imbalanced/);
});

Deno.test("report.md shared vs alone: results cached before balanced accuracy show — and why", () => {
  // Alone results cached by an older version; the derived ones measured anew.
  const old = (name: string, side: "alone" | "derived"): TestMeasurement => {
    const { testBalancedAccuracy, ...rest } = measured(name, side);
    return side === "alone" ? rest : { ...rest, testBalancedAccuracy };
  };
  const s = section(old);
  assert.equal(s.sharedVsAlone.spanning.meanBalancedGap, null);
  const md = sharedVsAloneMarkdown(s, "paper").join("\n");
  assert.match(md, /\| largest \| 99\.10 \| 99\.10 \| 0\.00 \| — \| 62\.50 \| — \|/);
  assert.match(md, /balanced accuracy gap — \(not measured for every configuration\)/);
  assert.match(
    md,
    /—: not measured; these results were cached before balanced accuracy was recorded/,
  );
  assert.match(md, /`runs\/evaluate-paper`/);
  // The largest trained alone is the backbone baseline: the baselines stage, not alone/.
  assert.match(md, /`<work>\/sensor\/`.*`alone\/` \(retrains .*\), `baselines\/` \(retrains/);
  assert.doesNotMatch(md, /test-accuracy/, "the derived ones were measured");
});

Deno.test("missing balanced stages: which stage each missing value comes from", () => {
  const s = section(measured);
  assert.deepEqual(missingBalancedStages(s.sharedVsAlone.rows), []);
  const [largest, smallest, backbone] = s.sharedVsAlone.rows;
  const { aloneBalanced: _a, ...largestOld } = largest;
  assert.deepEqual(missingBalancedStages([largestOld, smallest]).map((x) => x.split(" ")[0]), [
    "`baselines/`",
  ]);
  const { derivedBalanced: _d, ...backboneOld } = backbone;
  assert.deepEqual(missingBalancedStages([backboneOld]).map((x) => x.split(" ")[0]), [
    `\`supernet/${DERIVED_ACCURACY_FILE}\``,
  ]);
});

Deno.test("test balance: majority accuracy, imbalance from the present classes", () => {
  const b = testBalance([769, 0, 7])!;
  assert.equal(b.total, 776);
  assert.equal(b.smallest, 7);
  assert.equal(b.majorityAccuracy, 769 / 776);
  assert.ok(b.imbalanced);
  assert.equal(testBalance([10, 19])!.imbalanced, false);
  assert.equal(testBalance([10, 20])!.imbalanced, true);
  assert.equal(testBalance(undefined), null);
  assert.equal(testBalance([0, 0]), null);
});

Deno.test("report.md shared vs alone: with two alone seeds, a seed column and the noise floor", () => {
  const m = (a: number, b: number) => ({
    testAccuracy: a,
    testBalancedAccuracy: b,
    testSamples: 500,
  });
  const rows = [
    sharedVsAloneRow("spanning", "largest", "b0:conv", m(0.9011, 0.9), m(0.88, 0.85), [
      m(0.8567, 0.84),
    ]),
    sharedVsAloneRow("spanning", "smallest", "b0:skip", m(0.8, 0.7), m(0.7835, 0.7), [
      m(0.81, 0.7),
    ]),
    sharedVsAloneRow("baselines", "backbone", "b0:conv", m(0.9011, 0.9), m(0.88, 0.85)),
  ];
  const time = measuredHere(10, "s", "training");
  const spanning = rows.filter((r) => r.set === "spanning");
  const s: Section = {
    task: "har",
    dataset: { provenance: "test", samples: { train: 1, val: 1, test: 500 } },
    sharedVsAlone: {
      rows,
      spanning: { ...gapStats(spanning), ...aloneNoiseStats(spanning), aloneTrainTime: time },
      baselines: {
        ...gapStats(rows.slice(2)),
        ...aloneNoiseStats(rows.slice(2)),
        aloneTrainTime: time,
      },
      supernetTrainTime: time,
    },
  };
  const md = sharedVsAloneMarkdown(s, "paper").join("\n");
  assert.match(md, /\| alone % \| alone, 2 seeds: mean \(min-max\) % \| derived % \| gap \|/);
  assert.match(md, /\| largest \| 90\.11 \| 87\.89 \(85\.67-90\.11\) \| 88\.00 \| 2\.11 \|/);
  assert.match(md, /\| smallest \| 80\.00 \| 80\.50 \(80\.00-81\.00\) \| 78\.35 \| 1\.65 \|/);
  assert.match(md, /\| backbone \| 90\.11 \| - \| 88\.00 \|/);
  for (const line of md.split("\n").filter((l) => /^\| (spanning|baselines)/.test(l))) {
    assert.equal(line.split(/(?<!\\)\|/).length - 2, 11, line);
  }
  // Balanced accuracy of the seeds too: largest 90 and 84 -> 87.00 (84.00-90.00).
  assert.match(md, /\| balanced alone % \| balanced alone, 2 seeds: mean \(min-max\) % \|/);
  assert.match(md, /\| 90\.00 \| 87\.00 \(84\.00-90\.00\) \| 85\.00 \| 5\.00 \|/);
  // Spreads 4.44 and 1.00 points; gaps to the seeds' mean -0.11 and 2.15 points (balanced 2, 0).
  const lines = md.split("\n");
  const at = lines.findIndex((l) => l.startsWith("Spanning set"));
  assert.equal(
    lines[at + 2],
    "Trained alone with 2 seeds, the same configuration's accuracy spreads by a mean 2.72 " +
      "points (max 4.44); the mean gap to the seeds' mean accuracy is 1.02 points. In balanced " +
      "accuracy the spread is a mean 3.00 points and the mean gap to the seeds' mean 1.00 points.",
  );
  assert.ok(lines[at + 4].startsWith("Baseline configurations"));
  assert.equal(md.match(/Trained alone with/g)?.length, 1, "the spanning set only");
  // One seed: no column, no sentence.
  const one = sharedVsAloneMarkdown(section(measured), "paper").join("\n");
  assert.doesNotMatch(one, /seeds/);
});

Deno.test("report.md shared vs alone: with two supernets, a derived column and their spread", () => {
  const m = (a: number, b: number) => ({
    testAccuracy: a,
    testBalancedAccuracy: b,
    testSamples: 500,
  });
  const rows = [
    {
      ...sharedVsAloneRow("spanning", "largest", "b0:conv", m(0.9, 0.9), m(0.88, 0.85)),
      ...derivedSeedFields([m(0.88, 0.85), m(0.86, 0.8)], [0, 1]),
    },
    {
      ...sharedVsAloneRow("spanning", "smallest", "b0:skip", m(0.8, 0.7), m(0.78, 0.7)),
      ...derivedSeedFields([m(0.78, 0.7), m(0.78, 0.7)], [0, 1]),
    },
    sharedVsAloneRow("baselines", "backbone", "b0:conv", m(0.9, 0.9), m(0.88, 0.85)),
  ];
  const time = measuredHere(10, "s", "training");
  const spanning = rows.slice(0, 2);
  const s: Section = {
    task: "har",
    dataset: { provenance: "test", samples: { train: 1, val: 1, test: 500 } },
    sharedVsAlone: {
      rows,
      spanning: { ...gapStats(spanning), ...derivedNoiseStats(spanning), aloneTrainTime: time },
      baselines: { ...gapStats(rows.slice(2)), aloneTrainTime: time },
      supernetTrainTime: time,
      supernetSeeds: [0, 1],
      extraSupernetsTrainTime: measuredHere(12, "s", "training"),
    },
  };
  const md = sharedVsAloneMarkdown(s, "paper").join("\n");
  assert.match(md, /\| derived % \| derived, 2 supernets: mean \(min-max\) % \| gap \|/);
  assert.match(md, /\| largest \| 90\.00 \| 88\.00 \| 87\.00 \(86\.00-88\.00\) \| 2\.00 \|/);
  assert.match(md, /\| backbone \| 90\.00 \| 88\.00 \| - \|/);
  assert.match(md, /\| 90\.00 \| 85\.00 \| 82\.50 \(80\.00-85\.00\) \| 5\.00 \|/);
  // Spreads 2 and 0 points; gaps of the means 3 and 2 points; balanced spread 5 and 0.
  assert.match(
    md,
    /Derived from 2 supernets .* spreads by a mean 1\.00 points \(max 2\.00\); the mean gap between the alone mean and the derived mean is 2\.50 points\. In balanced accuracy the spread is a mean 2\.50 points/,
  );
  assert.match(md, /in 10 s \(the other 1 supernet\(s\), for the spread: 12 s\)\./);
  const one = sharedVsAloneMarkdown(section(measured), "paper").join("\n");
  assert.doesNotMatch(one, /supernets/);
});

type Matching = Pick<TaskEvaluation, "task" | "dataset" | "matching">;
const sensorMatching = (matching: TaskEvaluation["matching"], counts = [769, 7]): Matching => ({
  task: "sensor",
  dataset: {
    provenance: "test",
    samples: { train: 1, val: 1, test: 776 },
    testClassCounts: counts,
  },
  ...(matching ? { matching } : {}),
});
const kinds = ["backbone", "width-0.5", "int8-ptq"];

Deno.test("report.md matching: an imbalanced task says it matched on balanced accuracy, and why", () => {
  const md = matchingMarkdown(
    sensorMatching(taskMatching(
      testBalance([769, 7]),
      kinds.map((kind) => ({
        kind,
        testAccuracy: 0.997,
        testBalancedAccuracy: 0.857,
      })),
    )),
    "paper",
  ).join("\n");
  assert.match(
    md,
    /imbalanced \(its classes have 7 to 769 of its 776 samples; .* 99\.10% accuracy\)/,
  );
  assert.match(md, /every baseline is matched on balanced accuracy \(mean per-class recall\)/);
  assert.match(md, /answering the largest class everywhere would match a baseline that detects/);
  assert.doesNotMatch(md, /plain accuracy instead/);
});

Deno.test("report.md matching: a baseline without balanced accuracy falls back, naming the stage", () => {
  const m = taskMatching(testBalance([769, 7]), [
    { kind: "backbone", testAccuracy: 0.997, testBalancedAccuracy: 0.857 },
    { kind: "int8-ptq", testAccuracy: 0.997 },
  ]);
  const md = matchingMarkdown(sensorMatching(m), "paper").join("\n");
  assert.match(md, /so backbone is matched on balanced accuracy/);
  assert.match(
    md,
    /int8-ptq was matched on plain accuracy instead: its balanced accuracy was cached before/,
  );
  assert.match(md, /delete `<work>\/sensor\/baselines\/` \(`<work>` = `runs\/evaluate-paper`/);
  // Every baseline cached before: none on balanced accuracy, all named.
  const all = taskMatching(testBalance([769, 7]), kinds.map((kind) => ({ kind, testAccuracy: 1 })));
  const md2 = matchingMarkdown(sensorMatching(all), "quick").join("\n");
  assert.match(md2, /balanced accuracy would be the metric to match on/);
  assert.match(md2, /backbone, width-0\.5, int8-ptq were matched on plain accuracy instead: their/);
});

Deno.test("report.md matching: which front the balanced matches searched, and how to refit an older profile", () => {
  const m = taskMatching(testBalance([769, 7]), [
    { kind: "backbone", testAccuracy: 0.997, testBalancedAccuracy: 0.857 },
  ]);
  const fronts = (f: ("balanced" | "accuracy")[]) =>
    matchingMarkdown(
      {
        ...sensorMatching(m),
        platforms: f.map((x, i) => ({ platform: ["host", "pi4"][i], balancedMatchFront: x })),
      },
      "paper",
    ).join("\n");
  assert.match(fronts(["balanced", "balanced"]), /front under the profile's balanced-accuracy/);
  const old = fronts(["balanced", "accuracy"]);
  assert.match(old, /On pi4 the candidates were the front under the accuracy predictor/);
  assert.match(old, /Delete `<work>\/sensor\/profile\/`/);
  // A report written before fronts were recorded: no sentence.
  assert.doesNotMatch(matchingMarkdown(sensorMatching(m), "paper").join("\n"), /front under/);
});

Deno.test("report.md matching: nothing for a balanced split; an older report of an imbalanced one says so", () => {
  const balanced = taskMatching(testBalance([400, 376]), [{ kind: "backbone", testAccuracy: 0.9 }]);
  assert.deepEqual(matchingMarkdown(sensorMatching(balanced, [400, 376]), "paper"), []);
  const older = matchingMarkdown(sensorMatching(undefined), "paper").join("\n");
  assert.match(
    older,
    /predates matching on balanced accuracy: its baselines were matched on plain/,
  );
});

Deno.test("report.md: matched pairs state their metric; balanced columns only where matched on it", async () => {
  // paper-s5 predates matchMetric: every pair on accuracy, no balanced columns.
  const body = JSON.parse(
    await Deno.readTextFile(new URL("../../results/paper-s5/report.json", import.meta.url)),
  ).body;
  const md = renderMarkdown(body, {});
  const hostPairs = body.headline[0].latencyReduction.pairs;
  assert.match(md, new RegExp(`\\| host \\| measured \\|.*\\| ${hostPairs} on accuracy \\| `));
  assert.doesNotMatch(md, /balanced accuracy %|on balanced accuracy/);
  assert.equal(matchedPairsCell([], "host"), "0 on accuracy");
  // Sensor matched on balanced accuracy (the rows' balanced accuracies as a new report has them).
  const sensor = body.tasks.find((t: { task: string }) => t.task === "sensor");
  sensor.dataset.testClassCounts = [769, 7];
  let k = 0;
  for (const p of sensor.platforms) {
    for (const r of p.rows) r.balancedAccuracy = measuredHere(0.5 + 0.01 * k++, "fraction", "t");
    for (const c of p.comparisons) {
      c.matchMetric = "balancedAccuracy";
      if (c.adaspring !== null) c.balancedAccuracyDelta = 0.0123;
    }
  }
  const md2 = renderMarkdown(body, {});
  const sensorHost = sensor.platforms[0].comparisons.filter(
    (c: { latencyReduction: number | null }) => c.latencyReduction !== null,
  ).length;
  assert.match(
    md2,
    new RegExp(
      `\\| host \\| measured \\|.*\\| ${hostPairs - sensorHost} on accuracy, ` +
        `${sensorHost} on balanced accuracy \\| `,
    ),
  );
  assert.match(md2, /Pairs of `sensor` are matched on balanced accuracy/);
  const section = (task: string) => md2.slice(md2.indexOf(`### ${task} on host`)).split("###")[1];
  assert.match(section("sensor"), /\| accuracy % \| balanced accuracy % \| latency ms \|/);
  assert.match(
    section("sensor"),
    /\| accuracy delta \(pts\) \| balanced accuracy delta \(pts\) \|/,
  );
  assert.match(section("sensor"), /\| 1\.23 \|/);
  assert.doesNotMatch(section("mnist"), /balanced/);
});

Deno.test("supernetExtras: the settings that are on, in words", () => {
  assert.equal(supernetExtras({}), "");
  assert.equal(
    supernetExtras({
      configSteps: 4,
      classBalanced: true,
      classBalancePower: 0.5,
      largestOnlyEpochs: 2,
    }),
    ", each sampled configuration trained 4 steps, class-balanced batches (classes drawn by " +
      "count^0.5), the largest alone for the first 2 epoch(s)",
  );
  // Absent is the trainer's default (0.5); 0 (labels only) is a setting, said so.
  assert.equal(supernetExtras({ distillAlpha: 0, seeds: 1 }), ", distillation weight 0");
  assert.match(supernetExtras({ seeds: 3 }), /3 supernets \(consecutive seeds\)/);
});
