import assert from "node:assert/strict";
import { join } from "node:path";
import { loadSuiteConfig } from "../../lib/config/suite.ts";
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
