/**
 * Ctrl-C for the training commands: the first SIGINT stops the run between steps (its last
 * good checkpoint stays as it was), a second exits at once with code 130. After a stop, the
 * message says whether there is a checkpoint to resume from.
 *
 * @module
 */
import { AdaspringError, ExitCode } from "../lib/errors.ts";

/**
 * Runs `fn` with Ctrl-C turned into an abort signal (see the module doc); `exit` is how a
 * second Ctrl-C ends the process (replaceable for tests).
 */
export async function withInterrupt<T>(
  command: string,
  fn: (signal: AbortSignal) => Promise<T>,
  exit: (code: number) => void = (code) => Deno.exit(code),
): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) {
      console.error(`\n${command}: interrupted again; exiting now`);
      exit(ExitCode.interrupted);
      return;
    }
    console.error(
      `\n${command}: interrupted; stopping after this step (press Ctrl-C again to exit at once)`,
    );
    controller.abort();
  };
  Deno.addSignalListener("SIGINT", onSigint);
  try {
    return await fn(controller.signal);
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
}

/**
 * The error (exit code 130) for a run of `adaspring <command>` in `dir` that was interrupted:
 * it names `dir/last.ckpt` and how to resume when that file exists, and says there is nothing
 * to resume when the run stopped before its first checkpoint.
 */
export async function interruptedError(command: string, dir: string): Promise<AdaspringError> {
  const last = `${dir}/last.ckpt`;
  let exists = false;
  try {
    exists = (await Deno.stat(last)).isFile;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const message = exists
    ? `${command} interrupted; the last good checkpoint is ${last} (continue by running the ` +
      `same adaspring ${command} command with --resume ${dir} added)`
    : `${command} interrupted before its first epoch completed, so no checkpoint was written ` +
      `and there is nothing to resume; run the same adaspring ${command} command again to ` +
      `start over`;
  return new AdaspringError(message, { exitCode: ExitCode.interrupted });
}
