/**
 * User-facing errors and exit codes.
 *
 * Everything a user can get wrong (a missing file, a malformed config, an unknown task name)
 * is raised as an {@link AdaspringError}: the CLI prints its message as one paragraph and
 * exits with its code, never with a stack trace. Any other exception is a bug in adaspring.
 *
 * @module
 */

/** Exit codes of the `adaspring` command, stable across releases. */
export const ExitCode = {
  /** Success. */
  ok: 0,
  /** The work itself failed (e.g. a model did not run). */
  failure: 1,
  /** The command line was wrong (unknown option, missing argument). */
  usage: 2,
  /** An input file or config is missing, malformed or inconsistent. */
  badInput: 3,
  /** An optional dependency (native backend, dataset package) is not installed. */
  missingDependency: 4,
  /** Interrupted by the user (Ctrl-C); the last good checkpoint is kept. */
  interrupted: 130,
} as const;

/** One of the values of {@link ExitCode}. */
export type ExitCodeValue = typeof ExitCode[keyof typeof ExitCode];

/**
 * An error caused by the user's input or environment, with a message that says what is wrong,
 * where (file, line) and how to fix it.
 *
 * @example
 * ```ts
 * import { AdaspringError, ExitCode } from "./errors.ts";
 * const err = new AdaspringError("configs/tasks/x.yaml: not found", { exitCode: ExitCode.badInput });
 * console.assert(err.exitCode === 3);
 * ```
 */
export class AdaspringError extends Error {
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: ExitCodeValue;

  constructor(message: string, options: { exitCode?: ExitCodeValue; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "AdaspringError";
    this.exitCode = options.exitCode ?? ExitCode.failure;
  }
}

/** Shorthand for an {@link AdaspringError} with {@link ExitCode.badInput}. */
export function badInput(message: string, cause?: unknown): AdaspringError {
  return new AdaspringError(message, { exitCode: ExitCode.badInput, cause });
}

/** Shorthand for an {@link AdaspringError} with {@link ExitCode.missingDependency}. */
export function missingDependency(message: string, cause?: unknown): AdaspringError {
  return new AdaspringError(message, { exitCode: ExitCode.missingDependency, cause });
}
