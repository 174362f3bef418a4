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
