import assert from "node:assert/strict";
import { supernetExtras } from "../../lib/evaluate/report_md.ts";
import { join } from "node:path";
import {
  baselineSettingsFor,
  loadSuiteConfig,
  supernetSettingsFor,
} from "../../lib/config/suite.ts";
import { runSuite } from "../../lib/evaluate/run.ts";
import { supernetRun, supernetStamp } from "../../lib/evaluate/stage_supernet.ts";
import { stampInputs } from "../../lib/evaluate/task_setup.ts";
import { AdaspringError } from "../../lib/errors.ts";

Deno.test("the shipped suites load, with defaults filled in", async () => {
  for (const name of ["quick", "paper"]) {
    const s = await loadSuiteConfig(name);
    assert.equal(s.config.name, name);
    assert.ok(s.config.platforms.includes("host"));
    assert.ok(s.config.matching.sensitivity.length > 0);
  }
});

Deno.test("a bad suite names the file, line and field", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "bad.yaml");
  await Deno.writeTextFile(
    path,
    "name: bad\ntasks: [mnist]\nplatforms: [host]\nsupernet: { epochs: 0 }\n" +
      "baselines: { epochs: 1, finetuneEpochs: 1 }\nsurprise: 1\n",
  );
  await assert.rejects(loadSuiteConfig(path), (e) => {
    assert.ok(e instanceof AdaspringError);
    assert.match(e.message, /bad\.yaml:4:\d+ supernet\.epochs: expected a positive integer/);
    assert.match(e.message, /surprise/);
    return true;
  });
});

Deno.test("supernet.featureDistill is optional (absent keeps old stage stamps valid) and >= 0", async () => {
  const dir = await Deno.makeTempDir();
  const write = async (extra: string) => {
    const path = join(dir, `s${extra.length}.yaml`);
    await Deno.writeTextFile(
      path,
      `name: fd\ntasks: [mnist]\nplatforms: [host]\nsupernet: { epochs: 1${extra} }\n` +
        "baselines: { epochs: 1, finetuneEpochs: 1 }\n",
    );
    return path;
  };
  const off = await loadSuiteConfig(await write(""));
  assert.equal("featureDistill" in off.config.supernet, false);
  const on = await loadSuiteConfig(await write(", featureDistill: 0.5"));
  assert.equal(on.config.supernet.featureDistill, 0.5);
  await assert.rejects(loadSuiteConfig(await write(", featureDistill: -1")), /featureDistill/);
});

Deno.test("baselines.aloneSeeds: 1 by default (quick), 2 in the paper suite, a positive integer", async () => {
  assert.equal((await loadSuiteConfig("quick")).config.baselines.aloneSeeds, 1);
  assert.equal((await loadSuiteConfig("paper")).config.baselines.aloneSeeds, 2);
  const dir = await Deno.makeTempDir();
  const path = join(dir, "seeds.yaml");
  await Deno.writeTextFile(
    path,
    "name: seeds\ntasks: [mnist]\nplatforms: [host]\nsupernet: { epochs: 1 }\n" +
      "baselines: { epochs: 1, finetuneEpochs: 1, aloneSeeds: 0 }\n",
  );
  await assert.rejects(loadSuiteConfig(path), /baselines\.aloneSeeds/);
});

Deno.test("supernetByTask: a task's optional settings override the suite's; strict keys; unknown task named", async () => {
  const dir = await Deno.makeTempDir();
  const write = async (name: string, byTask: string) => {
    const path = join(dir, `${name}.yaml`);
    await Deno.writeTextFile(
      path,
      `name: ${name}\ntasks: [mnist, sensor]\nplatforms: [host]\n` +
        "supernet: { epochs: 2, random: 8, configSteps: 4 }\n" +
        `supernetByTask: ${byTask}\nbaselines: { epochs: 1, finetuneEpochs: 1 }\n`,
    );
    return path;
  };
  const s = (await loadSuiteConfig(
    await write("over", "{ sensor: { classBalanced: true, classBalancePower: 0.5 } }"),
  )).config;
  const sensor = supernetSettingsFor(s, "sensor");
  assert.equal(sensor.classBalanced, true);
  assert.equal(sensor.classBalancePower, 0.5);
  assert.equal(sensor.random, 8);
  assert.equal(sensor.configSteps, 4);
  // No override: exactly the suite's object, so its stage stamps are those of a suite without it.
  assert.equal(supernetSettingsFor(s, "mnist"), s.supernet);
  // No defaults are filled into an override (absent means the suite's value).
  assert.deepEqual(Object.keys(s.supernetByTask!.sensor).sort(), [
    "classBalancePower",
    "classBalanced",
  ]);
  // A task's supernet epochs may differ from its alone runs' (see the test below), never be 0.
  await assert.rejects(
    loadSuiteConfig(await write("epochs", "{ sensor: { epochs: 0 } }")),
    /supernetByTask\.sensor.*epochs/s,
  );
  await assert.rejects(
    loadSuiteConfig(await write("power", "{ sensor: { classBalancePower: 2 } }")),
    /classBalancePower/,
  );
  // A key naming no task of the suite is refused before anything runs, naming the file.
  const typo = await loadSuiteConfig(await write("typo", "{ sensr: { classBalanced: true } }"));
  await assert.rejects(
    runSuite({ suite: typo, outDir: join(dir, "out"), workDir: join(dir, "work"), log: () => {} }),
    (e) => {
      assert.ok(e instanceof AdaspringError);
      assert.match(e.message, /typo\.yaml: supernetByTask\.sensr names no task.*mnist, sensor/);
      return true;
    },
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("epochsByTask: the task's supernet, baselines and alone runs train for its epochs; others keep the suite's", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "epochs.yaml");
  const write = (byTask: string) =>
    Deno.writeTextFile(
      path,
      "name: epochs\ntasks: [mnist, sensor]\nplatforms: [host]\n" +
        "supernet: { epochs: 2, random: 8 }\n" +
        "supernetByTask: { sensor: { classBalanced: true } }\n" +
        `epochsByTask: ${byTask}\nbaselines: { epochs: 2, finetuneEpochs: 1 }\n`,
    );
  await write("{ sensor: 5 }");
  const s = (await loadSuiteConfig(path)).config;
  const sensor = supernetSettingsFor(s, "sensor");
  assert.equal(sensor.epochs, 5);
  assert.equal(sensor.classBalanced, true);
  assert.equal(sensor.random, 8);
  const base = baselineSettingsFor(s, "sensor");
  assert.equal(base.epochs, 5);
  assert.equal(base.finetuneEpochs, 1);
  // Untouched tasks get the suite's objects themselves: their stage stamps are unchanged.
  assert.equal(supernetSettingsFor(s, "mnist"), s.supernet);
  assert.equal(baselineSettingsFor(s, "mnist"), s.baselines);
  await write("{ sensor: 0 }");
  await assert.rejects(loadSuiteConfig(path), /epochsByTask\.sensor/);
  await write("{ sensr: 3 }");
  await assert.rejects(
    runSuite({
      suite: await loadSuiteConfig(path),
      outDir: join(dir, "out"),
      workDir: join(dir, "work"),
      log: () => {},
    }),
    (e) => {
      assert.ok(e instanceof AdaspringError);
      assert.match(e.message, /epochs\.yaml: epochsByTask\.sensr names no task.*mnist, sensor/);
      return true;
    },
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("supernetByTask epochs: the task's supernet only, over epochsByTask; the report says so", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "longer.yaml");
  await Deno.writeTextFile(
    path,
    "name: longer\ntasks: [mnist, sound]\nplatforms: [host]\nsupernet: { epochs: 8 }\n" +
      "supernetByTask: { sound: { epochs: 32 } }\nepochsByTask: { sound: 16 }\n" +
      "baselines: { epochs: 8, finetuneEpochs: 1 }\n",
  );
  const s = (await loadSuiteConfig(path)).config;
  assert.equal(supernetSettingsFor(s, "sound").epochs, 32);
  assert.equal(baselineSettingsFor(s, "sound").epochs, 16);
  assert.equal(supernetSettingsFor(s, "mnist").epochs, 8);
  assert.match(
    supernetExtras({ epochs: 32 }, true),
    /^, the supernet 32 epoch\(s\), unlike its baselines and alone runs$/,
  );
  assert.equal(supernetExtras({ epochs: 32 }), "", "the suite's own epochs are said elsewhere");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("stampInputs: the same inputs in another key order match; other values are refused", async () => {
  const dir = await Deno.makeTempDir();
  await stampInputs(dir, { supernet: { epochs: 8, random: 8, classBalanced: true } });
  await stampInputs(dir, { supernet: { classBalanced: true, epochs: 8, random: 8 } });
  await assert.rejects(
    stampInputs(dir, { supernet: { epochs: 8, random: 4, classBalanced: true } }),
    /holds results made with other inputs/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("supernet seeds: per task, and not part of the supernet stage stamp", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "seeds.yaml");
  await Deno.writeTextFile(
    path,
    "name: seeds\ntasks: [mnist, sensor]\nplatforms: [host]\nsupernet: { epochs: 2 }\n" +
      "supernetByTask: { sensor: { seeds: 3 } }\nbaselines: { epochs: 2, finetuneEpochs: 1 }\n",
  );
  const s = (await loadSuiteConfig(path)).config;
  const sensor = supernetSettingsFor(s, "sensor");
  assert.equal(sensor.seeds, 3);
  assert.equal(supernetSettingsFor(s, "mnist").seeds, undefined);
  // Raising seeds keeps what was trained: the stamp is that of the settings without it.
  assert.deepEqual(supernetStamp(sensor), supernetStamp(supernetSettingsFor(s, "mnist")));
  assert.equal("seeds" in supernetStamp(sensor), false);
  assert.deepEqual(supernetRun(0, 0), { dir: "supernet", seed: 0 });
  assert.deepEqual(supernetRun(0, 2), { dir: "supernet.seed2", seed: 2 });
  await Deno.writeTextFile(path, (await Deno.readTextFile(path)).replace("seeds: 3", "seeds: 0"));
  await assert.rejects(loadSuiteConfig(path), /supernetByTask\.sensor\.seeds/);
  await Deno.remove(dir, { recursive: true });
});
