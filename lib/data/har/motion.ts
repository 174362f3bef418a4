/**
 * A physically motivated model of what a waist-worn phone's accelerometer records.
 *
 * The accelerometer measures specific force: 1 g "up" from gravity plus the trunk's own
 * acceleration. Both are built in a body frame (vertical, mediolateral, anteroposterior =
 * device x, y, z when the phone sits straight on an upright person), then rotated by
 * - the posture: the trunk's forward lean when upright (sitting tilts the pelvis, and with it
 *   the phone, further than standing: the two differ only by this angle), or lying down with a
 *   roll about the body's long axis (back, side), which moves gravity onto the other axes;
 * - the phone's mounting on this person's belt (a fixed random rotation per person);
 * - a small random shift per window;
 * and finally gain, bias and white noise of the sensor are applied.
 *
 * Gait (the three walking activities) is periodic at the step frequency: a vertical wave of a
 * few harmonics, heel-strike impacts with a rebound, anteroposterior braking at each strike,
 * and mediolateral sway at half the step frequency (one sway per stride), with a small
 * left/right asymmetry. Upstairs is slower with a large, smooth vertical lift and soft
 * landings; downstairs is faster with hard, sharp landings; but the person-to-person spread of
 * cadence and impact overlaps the two, as it does in recorded data. Static postures get body
 * sway, breathing and occasional fidgets.
 *
 * @module
 */
import type { Rng } from "../../util/rng.ts";
import type { HarActivity } from "./activities.ts";
import { jitterRotation, type Mat3, matMul, rad, rotX, rotY } from "./rotation.ts";

/** One simulated person: gait style, posture habits, and how their phone sits and reads. */
export interface Person {
  /** Preferred step frequency (Hz) on level ground. */
  cadence: number;
  /** Overall gait acceleration scale. */
  vigor: number;
  /** Vertical and anteroposterior harmonic weights and phases (4 harmonics). */
  vertical: { amp: number[]; phase: number[] };
  forward: { amp: number[]; phase: number[] };
  /** Mediolateral sway amplitude (g, before vigor). */
  sway: number;
  /** Scale of heel-strike impacts, and of their duration. */
  impact: number;
  impactWidth: number;
  /** Left/right step imbalance (fraction). */
  asymmetry: number;
  /** Forward lean when standing and when sitting (degrees). */
  standLean: number;
  sitLean: number;
  /** Preferred lying roll (degrees, 0 = on the back). */
  lieRoll: number;
  /** Postural sway scale for static activities. */
  restless: number;
  /** Phone on the belt: rotation, and the sensor's per-axis gain and bias (g). */
  mount: Mat3;
  gain: number[];
  bias: number[];
}

/** Draw a person. `mountJitterDeg` is the std of the phone's mounting angles. */
export function samplePerson(rng: Rng, mountJitterDeg: number): Person {
  const harmonics = (first: number) => ({
    amp: [first, 0.45, 0.22, 0.1].map((a) => a * rng.uniform(0.7, 1.3)),
    phase: [0, 1, 2, 3].map(() => rng.uniform(-0.6, 0.6)),
  });
  const standLean = 2 + 3 * rng.normal();
  return {
    cadence: rng.uniform(1.6, 2.2),
    vigor: rng.uniform(0.75, 1.3),
    vertical: harmonics(0.28),
    forward: harmonics(0.16),
    sway: rng.uniform(0.05, 0.14),
    impact: rng.uniform(0.6, 1.5),
    impactWidth: rng.uniform(0.75, 1.35),
    asymmetry: rng.uniform(0, 0.15),
    standLean,
    sitLean: standLean + rng.uniform(8, 26),
    lieRoll: 35 * rng.normal(),
    restless: rng.uniform(0.5, 1.6),
    mount: jitterRotation(rng, mountJitterDeg),
    gain: [0, 1, 2].map(() => 1 + 0.015 * rng.normal()),
    bias: [0, 1, 2].map(() => 0.01 * rng.normal()),
  };
}

/** How each walking activity modifies the person's level-ground gait. */
interface GaitProfile {
  cadence: [number, number];
  amp: number;
  /** Extra weight on the fundamental (the lift of climbing). */
  lift: number;
  impact: number;
  /** Impact duration (s) before the person's width scale. */
  width: number;
  brake: number;
  lean: number;
}

/** Gait profiles of the walking activities; static postures have none. */
const GAIT: Partial<Record<HarActivity, GaitProfile>> = {
  WALKING: {
    cadence: [0.94, 1.06],
    amp: 1,
    lift: 1,
    impact: 0.35,
    width: 0.03,
    brake: 0.15,
    lean: 3,
  },
  WALKING_UPSTAIRS: {
    cadence: [0.76, 0.92],
    amp: 0.95,
    lift: 1.6,
    impact: 0.22,
    width: 0.045,
    brake: 0.08,
    lean: 10,
  },
  WALKING_DOWNSTAIRS: {
    cadence: [0.92, 1.12],
    amp: 1.1,
    lift: 0.9,
    impact: 0.55,
    width: 0.022,
    brake: 0.25,
    lean: 0,
  },
};

/** Per-activity recording session: what stays fixed across one person's windows of it. */
export interface Session {
  activity: HarActivity;
  cadenceFactor: number;
  lean: number;
  roll: number;
}

/** Draw the session of `person` doing `activity`. */
export function sampleSession(rng: Rng, person: Person, activity: HarActivity): Session {
  const gait = GAIT[activity];
  const cadenceFactor = gait ? rng.uniform(gait.cadence[0], gait.cadence[1]) : 1;
  const lean = gait
    ? person.standLean + gait.lean + 2 * rng.normal()
    : activity === "SITTING"
    ? person.sitLean + 3 * rng.normal()
    : person.standLean + 1.5 * rng.normal();
  return { activity, cadenceFactor, lean, roll: person.lieRoll + 15 * rng.normal() };
}

/** Window generation settings. */
export interface WindowOptions {
  sampleRate: number;
  length: number;
  noise: number;
  windowJitterDeg: number;
}

/**
 * One window `[3, length]` (x row, y row, z row) in g, written into `out` at `offset`.
 *
 * @example
 * ```ts
 * import { samplePerson, sampleSession, writeWindow } from "./motion.ts";
 * import { createRng } from "../../util/rng.ts";
 * const rng = createRng(0), person = samplePerson(rng, 10);
 * const out = new Float32Array(3 * 128);
 * const opts = { sampleRate: 50, length: 128, noise: 0.015, windowJitterDeg: 3 };
 * writeWindow(rng, person, sampleSession(rng, person, "STANDING"), opts, out, 0);
 * const mean = (c: number) => out.subarray(c * 128, (c + 1) * 128).reduce((a, b) => a + b) / 128;
 * console.assert(Math.abs(Math.hypot(mean(0), mean(1), mean(2)) - 1) < 0.05); // 1 g at rest
 * ```
 */
export function writeWindow(
  rng: Rng,
  person: Person,
  session: Session,
  opts: WindowOptions,
  out: Float32Array,
  offset: number,
): void {
  const { length: n, sampleRate: sr } = opts;
  const body = [new Float64Array(n), new Float64Array(n), new Float64Array(n)]; // V, ML, AP
  body[0].fill(1); // gravity: 1 g of specific force "up"
  const gait = GAIT[session.activity];
  if (gait) addGait(rng, person, session, gait, sr, body);
  else addRest(rng, person, session.activity, sr, body);
  let posture: Mat3;
  if (session.activity === "LAYING") {
    // Lying: the long axis (V) near horizontal, head slightly raised, rolled about V.
    posture = matMul(rotX(rad(session.roll + 3 * rng.normal())), rotY(rad(-80 - 8 * rng.next())));
  } else {
    posture = rotY(rad(-(session.lean + rng.normal())));
  }
  const r = matMul(person.mount, jitterRotation(rng, opts.windowJitterDeg), posture);
  for (let c = 0; c < 3; c++) {
    const row = offset + c * n;
    for (let t = 0; t < n; t++) {
      const v = r[3 * c] * body[0][t] + r[3 * c + 1] * body[1][t] + r[3 * c + 2] * body[2][t];
      out[row + t] = person.gain[c] * v + person.bias[c] + opts.noise * rng.normal();
    }
  }
}

/** Gaussian bump of unit height and std `w` seconds at offset `d` seconds. */
function bump(d: number, w: number): number {
  return Math.exp(-0.5 * (d / w) ** 2);
}

function addGait(
  rng: Rng,
  p: Person,
  s: Session,
  g: GaitProfile,
  sr: number,
  body: Float64Array[],
): void {
  const n = body[0].length;
  const f = p.cadence * s.cadenceFactor * rng.uniform(0.97, 1.03);
  const amp = p.vigor * g.amp * rng.uniform(0.85, 1.15);
  const impact = p.impact * g.impact * p.vigor * rng.uniform(0.75, 1.25);
  const width = g.width * p.impactWidth;
  const drift = rng.uniform(0, 0.04), driftPhase = rng.uniform(0, 2 * Math.PI);
  let phase = rng.uniform(0, 4 * Math.PI); // position within the stride (two steps)
  for (let t = 0; t < n; t++) {
    const time = t / sr;
    phase += (2 * Math.PI * f * (1 + drift * Math.sin(2 * Math.PI * 0.4 * time + driftPhase))) / sr;
    let v = 0, ap = 0;
    for (let h = 0; h < 4; h++) {
      const lift = h === 0 ? g.lift : 1;
      v += lift * p.vertical.amp[h] * Math.cos((h + 1) * phase + p.vertical.phase[h]);
      ap += p.forward.amp[h] * Math.sin((h + 1) * phase + p.forward.phase[h]);
    }
    // Time since the last heel strike (phase 0 of each step), and which foot it was.
    const stepPhase = phase % (2 * Math.PI);
    const since = stepPhase / (2 * Math.PI * f), period = 1 / f;
    const foot = Math.floor(phase / (2 * Math.PI)) % 2 === 0 ? 1 + p.asymmetry : 1 - p.asymmetry;
    const strike = bump(since, width) + bump(since - period, width) -
      0.4 * bump(since - 2.5 * width, 1.5 * width);
    body[0][t] += amp * v + foot * impact * strike;
    body[2][t] += amp * ap - foot * g.brake * p.vigor * bump(since, 1.5 * width);
    body[1][t] += amp * p.sway * (Math.sin(phase / 2) + 0.3 * Math.sin(1.5 * phase + 0.5));
  }
}

function addRest(
  rng: Rng,
  p: Person,
  activity: HarActivity,
  sr: number,
  body: Float64Array[],
): void {
  const n = body[0].length;
  const level = (activity === "STANDING" ? 0.012 : activity === "SITTING" ? 0.006 : 0.003) *
    p.restless;
  for (const axis of body) {
    for (let k = 0; k < 3; k++) {
      const f = rng.uniform(0.1, 0.8), a = level * rng.uniform(0.3, 1), ph = rng.uniform(0, 6.3);
      for (let t = 0; t < n; t++) axis[t] += a * Math.sin((2 * Math.PI * f * t) / sr + ph);
    }
  }
  const breath = rng.uniform(0.2, 0.35), depth = rng.uniform(0.002, 0.006);
  for (let t = 0; t < n; t++) body[2][t] += depth * Math.sin((2 * Math.PI * breath * t) / sr);
  // Occasional fidget: a short smooth push along a random direction.
  if (rng.next() < (activity === "LAYING" ? 0.15 : 0.3)) {
    const len = Math.round(rng.uniform(0.3, 1) * sr), start = rng.int(Math.max(1, n - len));
    const amp = rng.uniform(0.03, 0.15) * p.restless,
      dir = [rng.normal(), rng.normal(), rng.normal()];
    const norm = Math.hypot(dir[0], dir[1], dir[2]) || 1;
    for (let t = 0; t < len && start + t < n; t++) {
      const shape = Math.sin((2 * Math.PI * t) / len); // push then stop: zero net velocity
      for (let c = 0; c < 3; c++) body[c][start + t] += (amp * shape * dir[c]) / norm;
    }
  }
}
