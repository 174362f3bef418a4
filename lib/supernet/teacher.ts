/**
 * A fixed, trained teacher for ensemble training (Once-for-All's order: train the full network
 * first, then distil every subnet from it): an inference model (e.g. the backbone trained
 * alone, `evaluate`'s `baselines/backbone.onnx`, or any `adaspring export`) whose logits on each
 * training batch replace the largest configuration's in-place logits as the students' target.
 * Its BN layers run in inference mode, so the target does not move with the batch or the step.
 *
 * @module
 */
import { badInput } from "../errors.ts";
import { modelKey } from "../runtime/cache.ts";
import { createSession } from "../runtime/session.ts";
import { type BatchRunner, logitsRunner } from "./export.ts";

/** An open teacher model. */
export interface FixedTeacher {
  /** Logits `[count, classes]` of a batch `[count, ...inputShape]`. */
  readonly run: BatchRunner;
  /** SHA-256 of the model bytes: recorded in checkpoints, so a resume keeps the same teacher. */
  readonly identity: string;
  /** Where it came from, for reports. */
  readonly source: string;
  close(): Promise<void>;
}

/**
 * Opens model `bytes` (input `input`, output `logits`, as every adaspring model) as a teacher
 * for inputs of `inputShape` and `classes` logits. A model whose output has another class count
 * is refused.
 *
 * @example
 * ```ts
 * import { openTeacher } from "./teacher.ts";
 * import { exportSubnet } from "./export.ts";
 * import { createSearchSpace, createWeightStore } from "./mod.ts";
 * import { largestConfig } from "./extremes.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const store = createWeightStore(space, { inputChannels: 1, numClasses: 10 }, 0);
 * const e = exportSubnet(store, space, largestConfig(space), { inputShape: [1, 28, 28] });
 * const teacher = await openTeacher(e.bytes, [1, 28, 28], 10, "example");
 * const logits = await teacher.run(new Float32Array(2 * 28 * 28), 2);
 * console.assert(logits.length === 20);
 * await teacher.close();
 * ```
 */
export async function openTeacher(
  bytes: Uint8Array,
  inputShape: readonly number[],
  classes: number,
  source: string,
  backend = "web",
): Promise<FixedTeacher> {
  const session = await createSession(bytes, { backend, cache: false });
  const logitsOf = logitsRunner(session, inputShape);
  const run: BatchRunner = async (x, count) => {
    const logits = await logitsOf(x, count);
    if (logits.length !== count * classes) {
      throw badInput(
        `teacher ${source} gave ${logits.length / count} logits per sample, ` +
          `the task has ${classes} classes; use a model trained on this task`,
      );
    }
    return logits;
  };
  try {
    // One sample up front, so that a wrong model fails before any training step.
    await run(new Float32Array(inputShape.reduce((a, b) => a * b, 1)), 1);
  } catch (err) {
    await session.release();
    throw err;
  }
  return {
    run,
    identity: await modelKey(bytes),
    source,
    close: () => session.release(),
  };
}
