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
