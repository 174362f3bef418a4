/**
 * `adaspring`: the command-line entry point. Commands are thin: they parse options, call the
 * library, and print. Errors a user can fix (AdaspringError) print as one paragraph and exit
 * with their code; anything else is a bug and says so.
 *
 * @module
 */
import { Command, CommanderError } from "@commander-js/extra-typings";
import tab from "@bomb.sh/tab/commander";
import { AdaspringError, ExitCode } from "../lib/errors.ts";
import { registerConfigCommands } from "./commands/config.ts";
import { registerDatasetCommands } from "./commands/datasets.ts";
import { registerModelCommands } from "./commands/model.ts";
import { registerTrainCommand } from "./commands/train.ts";
import { registerTrainBenchCommand } from "./commands/train_bench.ts";
import { registerSupernetCommands } from "./commands/supernet.ts";
import { registerTrainSupernetCommand } from "./commands/train_supernet.ts";
import { registerProfileCommand } from "./commands/profile.ts";
import { registerSearchCommands } from "./commands/search.ts";
import { registerEvaluateCommand } from "./commands/evaluate.ts";
import { parseSeed } from "./options.ts";

/** Version of the adaspring CLI. */
export const VERSION = "0.1.0";

/** Build the root command with every subcommand registered. */
export function buildProgram(): Command<[], { seed?: number; out?: string; json?: true }> {
  const program = new Command("adaspring")
    .description(
      "Compress DNNs for mobile sensing to fit the device, and keep them fitting as its context " +
        "changes (a reimplementation of AdaSpring, IMWUT 2021).",
    )
    .version(VERSION)
    .option("--seed <n>", "seed for every random choice (recorded in reports)", parseSeed)
    .option("--out <dir>", "run directory for reports and artifacts (default: runs/<stage>-<time>)")
    .option("--json", "print machine-readable JSON instead of tables")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerConfigCommands(program);
  registerDatasetCommands(program);
  registerModelCommands(program);
  registerTrainCommand(program);
  registerTrainBenchCommand(program);
  registerTrainSupernetCommand(program);
  registerSupernetCommands(program);
  registerProfileCommand(program);
  registerSearchCommands(program);
  registerEvaluateCommand(program);
  tab(program as unknown as Parameters<typeof tab>[0]);
  return program;
}

/** Run the CLI with `args`; returns the exit code instead of exiting (for tests). */
export async function main(args: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(args, { from: "user" });
    return ExitCode.ok;
  } catch (err) {
    return reportError(err);
  }
}

/** Print an error the way users should see it and return the exit code. */
export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander already printed the message (and help, for usage errors).
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version") {
      return ExitCode.ok;
    }
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (err instanceof AdaspringError) {
    console.error(`error: ${err.message}`);
    return err.exitCode;
  }
  const e = err as Error;
  console.error(
    `internal error: ${e?.message ?? String(err)}\nThis is a bug in adaspring. ` +
      `Re-run with ADASPRING_DEBUG=1 to see the stack trace, and report it.`,
  );
  if (Deno.env.get("ADASPRING_DEBUG") === "1") console.error(e?.stack);
  return ExitCode.failure;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
