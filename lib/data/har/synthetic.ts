/**
 * Synthetic HAR windows from the motion model in `motion.ts`: `subjects` simulated people,
 * each recorded in one session per activity, cut into `windowsPerActivity` windows. Subject
 * ids (1-based, as UCI numbers its volunteers) are the split groups, so no person is in both
 * train and test, which is what makes the task hard: sitting vs standing differs by a tilt
 * smaller than the spread of how people wear their phone.
 *
 * Every person, session and window draws from its own stream forked from the caller's
 * {@link Rng} by name, so window k of a subject's activity is the same whatever the number of
 * windows or subjects requested.
 *
 * @module
 */
import type { Rng } from "../../util/rng.ts";
import type { Samples } from "../types.ts";
import { HAR_ACTIVITIES } from "./activities.ts";
import { samplePerson, sampleSession, writeWindow } from "./motion.ts";

/** Generator settings (the schema's `synthetic` block plus the window format). */
export interface HarGeneratorOptions {
  subjects: number;
  windowsPerActivity: number;
  sampleRate: number;
  windowLength: number;
  noise: number;
  mountJitterDeg: number;
  windowJitterDeg: number;
}

/**
 * Generate windows `[3, windowLength]`, ordered by subject, then activity, then window, with
 * `groups` = subject id.
 *
 * @example
 * ```ts
 * import { generateHar } from "./synthetic.ts";
 * import { createRng } from "../../util/rng.ts";
 * const s = generateHar(createRng(0), {
 *   subjects: 2, windowsPerActivity: 1, sampleRate: 50, windowLength: 128,
 *   noise: 0.015, mountJitterDeg: 10, windowJitterDeg: 3,
 * });
 * console.assert(s.y.length === 12 && s.x.length === 12 * 3 * 128 && s.groups![11] === 2);
 * ```
 */
export function generateHar(
  rng: Rng,
  opts: HarGeneratorOptions,
  onProgress?: (fraction: number, message: string) => void,
): Samples {
  const perSubject = HAR_ACTIVITIES.length * opts.windowsPerActivity;
  const count = opts.subjects * perSubject;
  const size = 3 * opts.windowLength;
  const x = new Float32Array(count * size);
  const y = new Int32Array(count);
  const groups = new Int32Array(count);
  const windowOpts = {
    sampleRate: opts.sampleRate,
    length: opts.windowLength,
    noise: opts.noise,
    windowJitterDeg: opts.windowJitterDeg,
  };
  let i = 0;
  for (let s = 1; s <= opts.subjects; s++) {
    const person = samplePerson(rng.fork(`person/${s}`), opts.mountJitterDeg);
    HAR_ACTIVITIES.forEach((activity, label) => {
      const session = sampleSession(rng.fork(`session/${s}/${activity}`), person, activity);
      for (let w = 0; w < opts.windowsPerActivity; w++, i++) {
        writeWindow(
          rng.fork(`window/${s}/${activity}/${w}`),
          person,
          session,
          windowOpts,
          x,
          i * size,
        );
        y[i] = label;
        groups[i] = s;
      }
    });
    onProgress?.(s / opts.subjects, `generated subject ${s}/${opts.subjects}`);
  }
  return { x, y, groups };
}
