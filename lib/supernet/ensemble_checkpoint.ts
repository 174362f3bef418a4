/**
 * Checkpoints of ensemble training (see `ensemble.ts`): the shared store, optimizer slots and
 * step/epoch in lib/train's checkpoint format (`last.ckpt` every epoch, `best.ckpt` at the best
 * epoch), and the per-epoch metrics in `history.json` so a resumed run reports every epoch.
 *
 * @module
 */
import { badInput } from "../errors.ts";
import {
  type CheckpointExpectation,
  readCheckpoint,
  settingsHash,
  writeCheckpoint,
} from "../train/checkpoint.ts";
import type { Optimizer } from "../train/optimizer.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { sha256Hex } from "../util/hash.ts";
import { createRng } from "../util/rng.ts";
import type { SupernetEpoch } from "./ensemble.ts";
import { layoutSignature, markUpdated, type WeightStore } from "./weights.ts";

/** The best epoch so far and a copy of the store then. */
export interface BestStore {
  readonly epoch: number;
  /** Mean validation accuracy of the watched configurations (-1 before any epoch). */
  readonly score: number;
  readonly store: WeightStore;
}

/**
 * The checkpoints' architecture hash: the store layout (names and shapes) and how fire blocks
 * join their expands ("fire-interleaved"), so that a checkpoint trained with the older
 * concatenated layout is refused instead of resumed.
 */
export function ensembleArchitectureHash(store: WeightStore): Promise<string> {
  const layout = [...store.tensors].map(([name, t]) => ({ name, shape: t.shape }));
  return sha256Hex(`ensemble|fire-interleaved|${layoutSignature(layout)}`);
}

/** A deep copy of a store with a new origin. */
export function copyStore(store: WeightStore, origin: string): WeightStore {
  const tensors = new Map(
    [...store.tensors].map(([k, t]) => [k, { shape: t.shape, data: new Float32Array(t.data) }]),
  );
  return { ...store, tensors, origin, revision: 0 };
}

function loadInto(store: WeightStore, params: Record<string, { data: Float32Array }>): void {
  for (const [name, t] of store.tensors) {
    const p = params[name];
    if (!p || p.data.length !== t.data.length) {
      throw badInput(`checkpoint has no tensor ${name} of ${t.data.length} values`);
    }
    t.data.set(p.data);
  }
  markUpdated(store);
}

/** What {@link saveEnsembleCheckpoints} writes. */
export interface EnsembleSaveState {
  readonly architectureHash: string;
  /** The run's training settings (hashed into the checkpoints' `configHash`). */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly seed: number;
  /** The run's epoch count (recorded, not checked on resume). */
  readonly plannedEpochs: number;
  /** Completed epochs. */
  readonly epoch: number;
  readonly optimizer: Optimizer;
  readonly store: WeightStore;
  readonly best: BestStore;
  /** Whether this epoch is the new best (`best.ckpt` is rewritten). */
  readonly improved: boolean;
  readonly history: readonly SupernetEpoch[];
}

/** Writes `history.json`, `best.ckpt` (when improved) and `last.ckpt` into `outDir`. */
export async function saveEnsembleCheckpoints(
  outDir: string,
  s: EnsembleSaveState,
): Promise<void> {
  const base = {
    architectureHash: s.architectureHash,
    configHash: settingsHash(s.settings),
    settings: s.settings,
    step: s.optimizer.steps,
    epoch: s.epoch,
    // The streams are derived from (seed, epoch, step): the seed's state is all there is.
    rng: createRng(s.seed).state(),
    state: {},
    metrics: { bestEpoch: s.best.epoch, bestScore: s.best.score, epochs: s.plannedEpochs },
  };
  const params = (w: WeightStore) => Object.fromEntries(w.tensors);
  const opt = s.optimizer;
  const slots = { kind: opt.config.kind, steps: opt.steps, slots: opt.state() };
  await writeFileAtomic(`${outDir}/history.json`, JSON.stringify(s.history, null, 1) + "\n");
  if (s.improved) {
    await writeCheckpoint(`${outDir}/best.ckpt`, {
      ...base,
      params: params(s.best.store),
      optimizer: { ...slots, slots: {} },
    });
  }
  await writeCheckpoint(`${outDir}/last.ckpt`, {
    ...base,
    params: params(s.store),
    optimizer: slots,
  });
}

/** What a resumed run continues from. */
export interface ResumePoint {
  readonly epoch: number;
  readonly history: SupernetEpoch[];
  readonly best: BestStore;
}

/**
 * Loads `outDir/last.ckpt` into `store` and `optimizer` (in place) and the best store and the
 * history next to it.
 *
 * @throws {AdaspringError} (bad input) for a missing, corrupt or foreign checkpoint, or one
 *   trained with other settings (`expect`).
 */
export async function loadEnsembleCheckpoint(
  outDir: string,
  expect: CheckpointExpectation,
  store: WeightStore,
  optimizer: Optimizer,
): Promise<ResumePoint> {
  const c = await readCheckpoint(`${outDir}/last.ckpt`, expect);
  loadInto(store, c.params as Record<string, { data: Float32Array }>);
  optimizer.restore(c.optimizer.slots, c.optimizer.steps);
  let history: SupernetEpoch[];
  try {
    history = JSON.parse(await Deno.readTextFile(`${outDir}/history.json`));
  } catch (e) {
    throw badInput(`${outDir}/history.json: cannot read (${(e as Error).message}).`, e);
  }
  const b = await readCheckpoint(`${outDir}/best.ckpt`, expect);
  const bestStore = copyStore(store, store.origin);
  loadInto(bestStore, b.params as Record<string, { data: Float32Array }>);
  return {
    epoch: c.epoch,
    history: history.slice(0, c.epoch),
    best: { epoch: c.metrics.bestEpoch, score: c.metrics.bestScore, store: bestStore },
  };
}
