import assert from "node:assert/strict";
import { z } from "zod";
import { AdaspringError, ExitCode } from "../../lib/errors.ts";
import { formatPath, loadConfigFile, parseConfig } from "../../lib/config/source.ts";
import { positiveInt } from "../../lib/config/fields.ts";

const schema = z.strictObject({
  name: z.string(),
  model: z.strictObject({
    blocks: z.array(z.strictObject({ channels: positiveInt(), kernel: positiveInt().default(3) })),
  }),
});

async function errorOf(p: Promise<unknown>): Promise<AdaspringError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AdaspringError, `expected AdaspringError, got ${err}`);
    return err;
  }
  throw new Error("expected an error");
}

Deno.test("formatPath renders indices and keys", () => {
  assert.equal(formatPath(["model", "blocks", 2, "channels"]), "model.blocks[2].channels");
  assert.equal(formatPath([]), "");
});

Deno.test("a wrong value is reported at its line and column with the field path", async () => {
  const text = [
    "name: har",
    "model:",
    "  blocks:",
    "    - { channels: 16 }",
    "    - { channels: 32 }",
    "    - channels: -4",
    "",
  ].join("\n");
  const err = await errorOf(parseConfig("configs/tasks/har.yaml", text, schema));
  assert.equal(err.exitCode, ExitCode.badInput);
  assert.match(
    err.message,
    /^configs\/tasks\/har\.yaml:6:17 model\.blocks\[2\]\.channels: expected a positive integer/,
  );
});

Deno.test("unknown keys are errors pointing at the key", async () => {
  const text = "name: x\nmodel:\n  blocks: []\n  colour: red\n";
  const err = await errorOf(parseConfig("t.yaml", text, schema));
  assert.match(err.message, /t\.yaml:4:3 model\.colour: unknown key \(allowed here: blocks\)/);
});

Deno.test("an unknown key lists the keys allowed there, through arrays and unions", async () => {
  const inArray = "name: x\nmodel:\n  blocks: [{ channels: 8, colour: red }]\n";
  const err = await errorOf(parseConfig("t.yaml", inArray, schema));
  assert.match(
    err.message,
    /model\.blocks\[0\]\.colour: unknown key \(allowed here: channels, kernel\)/,
  );
  const tagged = z.strictObject({
    source: z.discriminatedUnion("kind", [
      z.strictObject({ kind: z.literal("a"), alpha: z.number().optional() }),
      z.strictObject({ kind: z.literal("b"), beta: z.number().optional() }),
    ]),
  });
  const inUnion = await errorOf(parseConfig("u.yaml", "source:\n  kind: b\n  alpha: 1\n", tagged));
  assert.match(
    inUnion.message,
    /u\.yaml:3:3 source\.alpha: unknown key \(allowed here: kind, beta\)/,
  );
});

Deno.test("a missing required field points at its parent and says it is required", async () => {
  const err = await errorOf(parseConfig("t.yaml", "name: x\n", schema));
  assert.match(err.message, /t\.yaml:1:1 model: required field is missing \(expected object\)/);
  const wrong = await errorOf(parseConfig("t.yaml", "name: x\nmodel: 3\n", schema));
  assert.match(wrong.message, /t\.yaml:2:8 model: expected object, received number/);
});

Deno.test("YAML syntax errors give the position", async () => {
  const err = await errorOf(parseConfig("t.yaml", "name: x\nmodel: [1, 2\n", schema));
  assert.match(err.message, /t\.yaml:\d+:\d+ YAML syntax:/);
});

Deno.test("duplicate keys are syntax errors", async () => {
  const err = await errorOf(parseConfig("t.yaml", "name: x\nname: y\n", schema));
  assert.match(err.message, /t\.yaml:2:1 YAML syntax:/);
});

Deno.test("defaults are applied and the hash is recorded", async () => {
  const { config, hash } = await parseConfig(
    "t.yaml",
    "name: x\nmodel:\n  blocks: [{ channels: 8 }]\n",
    schema,
  );
  assert.equal(config.model.blocks[0].kernel, 3);
  assert.match(hash, /^[0-9a-f]{64}$/);
});

Deno.test("a missing file is a clear bad-input error", async () => {
  const err = await errorOf(loadConfigFile("no/such/file.yaml", schema));
  assert.equal(err.exitCode, ExitCode.badInput);
  assert.match(err.message, /no\/such\/file\.yaml: file not found/);
});
