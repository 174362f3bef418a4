import assert from "node:assert/strict";
import { Command } from "@commander-js/extra-typings";
import { registerSupernetCommands } from "../../cli/commands/supernet.ts";
import { AdaspringError, ExitCode } from "../../lib/errors.ts";

function program() {
  const p = new Command().name("adaspring").option("--seed <n>").option("--out <dir>").option(
    "--json",
  )
    .exitOverride();
  registerSupernetCommands(p as never);
  return p;
}

for (const command of ["export", "evolve"]) {
  Deno.test(`${command}: an invalid configuration id is a clear bad-input error`, async () => {
    const args = [command, "--task", "mnist", "--config", "b0:conv-w.7|b1:skip"];
    if (command === "export") args.push("-o", "/nonexistent/x.onnx");
    await assert.rejects(
      () => program().parseAsync(args, { from: "user" }),
      (e: Error) =>
        e instanceof AdaspringError && e.exitCode === ExitCode.badInput &&
        /invalid configuration id "b0:conv-w\.7\|b1:skip" for task mnist: block b0 token "conv-w\.7": width "w\.7" is not offered/
          .test(e.message),
    );
  });
}

Deno.test("export: a low-rank configuration's factors are fitted, and the sidecar says so", async () => {
  const dir = await Deno.makeTempDir();
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: string) => lines.push(s);
  try {
    for (
      const [name, id] of [["lr", "b0:lr.25-w.5|b1:skip|b2:conv-w.5|b3:skip|b4:lr.5-w.5"], [
        "plain",
        "b0:conv-w.5|b1:skip|b2:conv-w.5|b3:skip|b4:conv-w.5",
      ]]
    ) {
      await program().parseAsync(
        ["--json", "export", "--task", "mnist", "--config", id, "-o", `${dir}/${name}.onnx`],
        { from: "user" },
      );
    }
  } finally {
    console.log = log;
    await Deno.remove(dir, { recursive: true });
  }
  const [lr, plain] = lines.map((l) => JSON.parse(l));
  assert.match(lr.bnStatistics, /low-rank factors fitted to the same samples \(activation-aware/);
  assert.doesNotMatch(plain.bnStatistics, /low-rank/);
});
