// evaluate's supernet with `teacher: backbone` (Once-for-All's order): the backbone baseline is
// trained first, starts the largest configuration's shared weights, is the students' fixed
// teacher, and its training is counted in the supernet's cost.
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadSuiteConfig } from "../../lib/config/suite.ts";
import {
  startFromTeacher,
  supernetCost,
  supernetStage,
} from "../../lib/evaluate/stage_supernet.ts";
import { supernetExtras } from "../../lib/evaluate/report_md.ts";
import { setupTask } from "../../lib/evaluate/task_setup.ts";
import { largestConfig } from "../../lib/supernet/extremes.ts";
import { planSubnet } from "../../lib/supernet/plan.ts";
import { readSlice } from "../../lib/supernet/slice.ts";
import { createWeightStore } from "../../lib/supernet/weights.ts";
import { TINY } from "../search/cli_fixture.ts";

Deno.test("startFromTeacher: the largest's slices from the teacher, every other weight fresh", async () => {
  const dir = await Deno.makeTempDir({ prefix: "teacher-start-" });
  const taskPath = join(dir, "tiny.yaml");
  await Deno.writeTextFile(taskPath, TINY);
  const { config: suite } = await loadSuiteConfig(await suiteFile(dir, taskPath));
  const t = await setupTask(taskPath, suite, join(dir, "work"), () => {});
  const io = { inputChannels: t.data.inputShape[0], numClasses: t.data.classes.length };
  const fresh = createWeightStore(t.space, io, 5);
  const teacher = createWeightStore(t.space, io, 9);
  const started = startFromTeacher(fresh, teacher, t.space);
  const plan = planSubnet(t.space, largestConfig(t.space), teacher.shape);
  const largest = new Set<string>();
  for (const c of [plan.stem, ...plan.blocks.flatMap((b) => b.stages.flat())]) {
    largest.add(c.weight.tensor);
    assert.deepEqual(readSlice(started, c.weight), readSlice(teacher, c.weight), c.weight.tensor);
  }
  let kept = 0;
  for (const [name, tensor] of started.tensors) {
    if (largest.has(name)) continue;
    if (/\.dw/.test(name)) {
      assert.deepEqual(tensor.data, fresh.tensors.get(name)!.data, name);
      kept++;
    }
  }
  assert.ok(kept > 0, "tiny has depthwise weights the largest does not read");
  assert.match(started.origin, /backbone trained alone/);
});

Deno.test("evaluate supernet stage with teacher: backbone trains the backbone first and counts it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "teacher-stage-" });
  const taskPath = join(dir, "tiny.yaml");
  await Deno.writeTextFile(taskPath, TINY);
  const { config: suite } = await loadSuiteConfig(
    await suiteFile(dir, taskPath, { teacher: "backbone" }),
  );
  const lines: string[] = [];
  const t = await setupTask(taskPath, suite, join(dir, "work"), (l) => lines.push(l));
  const { stage } = await supernetStage(t, suite);
  const baselines = join(t.dir, "baselines");
  const backbone = JSON.parse(await Deno.readTextFile(join(baselines, "backbone.json")));
  // Only the backbone was trained (the other baselines wait for their own stage).
  const files = [...Deno.readDirSync(baselines)].map((e) => e.name).sort();
  assert.deepEqual(files, [
    "backbone.json",
    "backbone.onnx",
    "backbone.weights.bin",
    "backbone.weights.json",
    "inputs.json",
  ]);
  assert.ok(
    lines.findIndex((l) => /baseline: backbone/.test(l)) <
      lines.findIndex((l) => /supernet: epoch/.test(l)),
    "the backbone before the supernet",
  );
  assert.deepEqual(stage.teacher, {
    kind: "backbone",
    modelPath: join(baselines, "backbone.onnx"),
    trainSeconds: backbone.trainSeconds,
    trainFlops: backbone.trainFlops,
  });
  const cost = supernetCost(stage);
  assert.equal(cost.seconds, stage.trainSeconds + backbone.trainSeconds);
  assert.ok(cost.flops > stage.trainFlops);
  assert.match(cost.note, /plus its teacher's \(the backbone trained alone/);
  // The checkpoint records the teacher, so a resume with another teacher is refused.
  const ckpt = new TextDecoder("latin1").decode(
    await Deno.readFile(join(t.dir, "supernet", "last.ckpt")),
  );
  assert.match(ckpt, /"teacher":"[0-9a-f]{64}"/);
  assert.match(supernetExtras({ teacher: "backbone" }), /fixed teacher/);
});

async function suiteFile(
  dir: string,
  taskPath: string,
  over: Record<string, unknown> = {},
): Promise<string> {
  const path = join(dir, "suite.yaml");
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      name: "tiny",
      tasks: [taskPath],
      platforms: ["host"],
      limit: 64,
      supernet: { epochs: 1, random: 1, ...over },
      baselines: { epochs: 1, finetuneEpochs: 1, aloneSampled: 1 },
      profile: { quick: true },
      matching: { tolerance: 0.05 },
    }),
  );
  return path;
}
