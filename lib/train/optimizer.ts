/**
 * Optimizers in TypeScript over float32 parameter arrays: SGD with (Nesterov-free) momentum
 * and Adam, both with weight decay. Decay applies to weight tensors of rank >= 2 only (conv
 * and linear weights), not to biases and BN affine parameters, as is standard practice.
 * SGD's decay is coupled (added to the gradient, i.e. L2); Adam's is decoupled (AdamW).
 *
 * @example
 * ```ts
 * import { createOptimizer } from "./optimizer.ts";
 * const opt = createOptimizer({ kind: "sgd", momentum: 0.9, weightDecay: 0 });
 * const w = { w: { shape: [2], data: new Float32Array([1, 1]) } };
 * opt.step(w, { w: new Float32Array([1, -1]) }, 0.1);
 * console.assert(Math.abs(w.w.data[0] - 0.9) < 1e-6);
 * ```
 *
 * @module
 */

/** Hyper-parameters of an optimizer. */
export interface OptimizerConfig {
  readonly kind: "sgd" | "adam";
  /** SGD momentum (default 0.9). */
  readonly momentum?: number;
  /** Weight decay factor (default 0). */
  readonly weightDecay?: number;
  /** Adam betas and epsilon (defaults 0.9, 0.999, 1e-8). */
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

/** A parameter: its shape and its float32 values (updated in place). */
export interface Param {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** An optimizer with its state (slots per parameter and the step count). */
export interface Optimizer {
  readonly config: OptimizerConfig;
  /** Steps taken. */
  readonly steps: number;
  /** Updates `params` in place with `grads` at learning rate `lr`. */
  step(
    params: Record<string, Param>,
    grads: Readonly<Record<string, Float32Array>>,
    lr: number,
  ): void;
  /** State slots by `${param}/${slot}` (for checkpoints). */
  state(): Record<string, Float32Array>;
  /** Restores slots and the step count from {@link state} output. */
  restore(slots: Readonly<Record<string, Float32Array>>, steps: number): void;
}

/** Creates an optimizer; state slots are allocated lazily per parameter. */
export function createOptimizer(config: OptimizerConfig): Optimizer {
  const slots = new Map<string, Float32Array>();
  let steps = 0;
  const slot = (name: string, n: number) => {
    let s = slots.get(name);
    if (!s) slots.set(name, s = new Float32Array(n));
    return s;
  };
  const decay = config.weightDecay ?? 0;
  return {
    config,
    get steps() {
      return steps;
    },
    step(params, grads, lr) {
      steps++;
      for (const [name, p] of Object.entries(params)) {
        const g = grads[name];
        if (!g) continue;
        const wd = p.shape.length >= 2 ? decay : 0;
        if (config.kind === "sgd") {
          const mu = config.momentum ?? 0.9;
          const v = slot(`${name}/momentum`, g.length);
          const w = p.data;
          for (let i = 0; i < w.length; i++) {
            v[i] = mu * v[i] + g[i] + wd * w[i];
            w[i] -= lr * v[i];
          }
        } else {
          const b1 = config.beta1 ?? 0.9, b2 = config.beta2 ?? 0.999, eps = config.epsilon ?? 1e-8;
          const m = slot(`${name}/m`, g.length), v = slot(`${name}/v`, g.length);
          const c1 = 1 - b1 ** steps, c2 = 1 - b2 ** steps;
          const w = p.data;
          for (let i = 0; i < w.length; i++) {
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            w[i] -= lr * ((m[i] / c1) / (Math.sqrt(v[i] / c2) + eps) + wd * w[i]);
          }
        }
      }
    },
    state: () => Object.fromEntries(slots),
    restore(saved, n) {
      slots.clear();
      for (const [k, v] of Object.entries(saved)) slots.set(k, new Float32Array(v));
      steps = n;
    },
  };
}
