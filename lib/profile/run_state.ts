/**
 * Resumable profile state: what each phase has measured so far, saved atomically after every
 * measurement under `<run dir>/profile-state/`, so an interrupted `profile` continues with
 * `--resume DIR` instead of starting over.
 *
 * Each file records the key of the inputs it was measured under (task config, weights, seed,
 * protocol, sample counts). Resuming with other inputs is refused: mixing measurements of two
 * different networks or protocols would silently corrupt the tables.
 *
 * @module
 */
import { join } from "node:path";
import { AdaspringError } from "../errors.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { sha256Hex } from "../util/hash.ts";

/** Layout version of the state files. */
export const STATE_VERSION = 1;

/** A phase's saved measurements: `entries` by id (config id or LUT key). */
export interface PhaseState<T> {
  readonly version: number;
  readonly key: string;
  /** What the key covers, for the error message when it does not match. */
  readonly inputs: Record<string, unknown>;
  readonly entries: Record<string, T>;
}

/** Hash of the inputs a phase's measurements depend on. */
export function stateKey(inputs: Record<string, unknown>): Promise<string> {
  return sha256Hex(JSON.stringify(inputs));
}

/** Path of a phase's state file in a run directory. */
export function statePath(dir: string, phase: string): string {
  return join(dir, "profile-state", `${phase}.json`);
}

/**
 * A phase's state store: entries loaded from `path` when resuming (refused when they were
 * measured under other inputs), each new one saved atomically at once.
 */
export class PhaseStore<T> {
  readonly #path: string;
  readonly #key: string;
  readonly #inputs: Record<string, unknown>;
  readonly entries: Record<string, T>;
  /** Entries found on disk when the store was opened. */
  readonly resumed: number;

  private constructor(
    path: string,
    key: string,
    inputs: Record<string, unknown>,
    entries: Record<string, T>,
  ) {
    this.#path = path;
    this.#key = key;
    this.#inputs = inputs;
    this.entries = entries;
    this.resumed = Object.keys(entries).length;
  }

  /**
   * Open the state of `phase` in `dir`; with `resume`, load what an earlier run saved.
   *
   * @example
   * ```ts
   * import { PhaseStore } from "./run_state.ts";
   * const dir = await Deno.makeTempDir();
   * const a = await PhaseStore.open<number>(dir, "accuracy", { n: 1 }, false);
   * await a.put("x", 0.5);
   * const b = await PhaseStore.open<number>(dir, "accuracy", { n: 1 }, true);
   * console.assert(b.entries.x === 0.5 && b.resumed === 1);
   * ```
   */
  static async open<T>(
    dir: string,
    phase: string,
    inputs: Record<string, unknown>,
    resume: boolean,
  ): Promise<PhaseStore<T>> {
    const path = statePath(dir, phase);
    const key = await stateKey(inputs);
    if (!resume) return new PhaseStore<T>(path, key, inputs, {});
    let saved: PhaseState<T>;
    try {
      saved = JSON.parse(await Deno.readTextFile(path));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return new PhaseStore<T>(path, key, inputs, {});
      throw new AdaspringError(
        `${path}: cannot read the saved ${phase} measurements (${(err as Error).message}); ` +
          `delete the file to measure that phase again.`,
      );
    }
    if (saved.version !== STATE_VERSION || saved.key !== key) {
      throw new AdaspringError(
        `${path}: the saved ${phase} measurements were made with other inputs ` +
          `(${JSON.stringify(saved.inputs)}; now ${JSON.stringify(inputs)}). Resume with the ` +
          `same options, or start a fresh profile without --resume.`,
      );
    }
    return new PhaseStore<T>(path, key, inputs, saved.entries);
  }

  /** Record one entry and save the state atomically. */
  async put(id: string, value: T): Promise<void> {
    this.entries[id] = value;
    const state: PhaseState<T> = {
      version: STATE_VERSION,
      key: this.#key,
      inputs: this.#inputs,
      entries: this.entries,
    };
    await Deno.mkdir(join(this.#path, ".."), { recursive: true });
    await writeFileAtomic(this.#path, JSON.stringify(state) + "\n");
  }
}
