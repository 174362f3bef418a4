/**
 * The task backbone rebuilt in TensorFlow.js layers, as the training peer a JavaScript user
 * would otherwise pick (`adaspring train-bench` compares it with the ONNX training artifacts).
 *
 * Same architecture as {@link buildBackbone} (2-D): stem and blocks of conv (no bias) -> BN ->
 * ReLU with residual adds on optional blocks, global average pooling, optional dropout and a
 * dense classifier, with the same padding (explicit zero padding where tfjs `same` would pad
 * differently from the ONNX graph), BN momentum 0.9 and epsilon 1e-5; the ONNX graph's initial
 * weights can be copied in, so both start from the same point. tfjs works channels-last:
 * {@link createTfjsTrainer} takes channels-first batches (as the ONNX engine does) and
 * transposes them.
 *
 * TensorFlow.js is a bench-only dependency: this module only imports its types, and
 * {@link loadTfjs} imports the package dynamically, so nothing the CLI loads by default pulls
 * it in.
 *
 * @example
 * ```ts ignore
 * import { buildBackbone } from "./backbone.ts";
 * import { buildTfjsBackbone, createTfjsTrainer, loadTfjs } from "./peer_tfjs.ts";
 * const spec = {
 *   kind: "conv2d" as const,
 *   stem: { channels: 4, kernel: 3, stride: 1 },
 *   blocks: [{ channels: 8, kernel: 3, stride: 2, optional: false }],
 *   dropout: 0,
 * };
 * const tf = await loadTfjs("cpu");
 * const model = buildTfjsBackbone(tf, spec, [1, 8, 8], 3, buildBackbone(spec, [1, 8, 8], 3, 0));
 * const trainer = createTfjsTrainer(tf, model, { lr: 0.05, momentum: 0.9, inputShape: [1, 8, 8] });
 * const loss = await trainer.step(new Float32Array(2 * 64), new Int32Array([0, 2]));
 * trainer.dispose();
 * ```
 *
 * @module
 */
import type * as Tf from "@tensorflow/tfjs";
import type { GraphData } from "../onnx/types.ts";
import type { BackboneSpec } from "./backbone.ts";

/** The TensorFlow.js module. */
export type Tfjs = typeof Tf;

/**
 * Imports TensorFlow.js and selects `backend` (`cpu`: pure JavaScript, the only one here that
 * trains convolutions; `wasm` needs `@tensorflow/tfjs-backend-wasm` registered first).
 */
export async function loadTfjs(backend = "cpu"): Promise<Tfjs> {
  const tf = await import("@tensorflow/tfjs");
  // Production mode: no per-op debug checks, and no "install tfjs-node" banner on stdout.
  tf.env().set("PROD", true);
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend "${backend}" failed`);
  await tf.ready();
  return tf;
}

/** conv -> BN -> ReLU with the ONNX backbone's padding; layer names follow its parameters. */
function convBnRelu(
  tf: Tfjs,
  x: Tf.SymbolicTensor,
  name: string,
  size: number,
  channels: number,
  kernel: number,
  stride: number,
): Tf.SymbolicTensor {
  // ONNX pads floor(k/2) before and k-1-floor(k/2) after; tfjs `same` pads floor(P/2) before
  // with P = (ceil(size/stride)-1)*stride + k - size, which differs at some strides.
  const before = Math.floor(kernel / 2);
  const out = Math.ceil(size / stride);
  const same = Math.max((out - 1) * stride + kernel - size, 0);
  let h = x;
  let padding: "same" | "valid" = "same";
  if (Math.floor(same / 2) !== before || same !== kernel - 1) {
    const pad: [number, number] = [before, kernel - 1 - before];
    h = tf.layers.zeroPadding2d({ padding: [pad, pad], name: `${name}.pad` })
      .apply(h) as Tf.SymbolicTensor;
    padding = "valid";
  }
  h = tf.layers.conv2d({
    filters: channels,
    kernelSize: kernel,
    strides: stride,
    padding,
    useBias: false,
    name: `${name}.conv`,
  }).apply(h) as Tf.SymbolicTensor;
  h = tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5, name: `${name}.bn` })
    .apply(h) as Tf.SymbolicTensor;
  return tf.layers.reLU({ name: `${name}.relu` }).apply(h) as Tf.SymbolicTensor;
}

/**
 * Builds the 2-D backbone of `spec` for channels-first samples `inputShape` ([C, H, W]) as a
 * channels-last tfjs model; with `weights` (the ONNX backbone), copies its initial weights.
 */
export function buildTfjsBackbone(
  tf: Tfjs,
  spec: BackboneSpec,
  inputShape: readonly number[],
  classes: number,
  weights?: GraphData,
): Tf.LayersModel {
  if (spec.kind !== "conv2d" || inputShape.length !== 3) {
    throw new TypeError(`the tfjs peer builds 2-D backbones on [C, H, W] samples only`);
  }
  const [c, h, w] = inputShape;
  const input = tf.input({ shape: [h, w, c], name: "input" });
  let size = h;
  let x = convBnRelu(
    tf,
    input,
    "stem",
    size,
    spec.stem.channels,
    spec.stem.kernel,
    spec.stem.stride,
  );
  size = Math.ceil(size / spec.stem.stride);
  spec.blocks.forEach((b, i) => {
    const y = convBnRelu(tf, x, `block${i + 1}`, size, b.channels, b.kernel, b.stride);
    size = Math.ceil(size / b.stride);
    x = b.optional
      ? tf.layers.add({ name: `block${i + 1}.residual` }).apply([x, y]) as Tf.SymbolicTensor
      : y;
  });
  let f = tf.layers.globalAveragePooling2d({ name: "gap" }).apply(x) as Tf.SymbolicTensor;
  if (spec.dropout > 0) {
    f = tf.layers.dropout({ rate: spec.dropout, name: "dropout" }).apply(f) as Tf.SymbolicTensor;
  }
  const logits = tf.layers.dense({ units: classes, name: "fc" }).apply(f) as Tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: logits, name: "backbone_tfjs" });
  if (weights) copyOnnxWeights(tf, model, weights);
  return model;
}

/** Sets the tfjs model's weights to the ONNX backbone's (OIHW -> HWIO, [K, W] -> [W, K]). */
function copyOnnxWeights(tf: Tfjs, model: Tf.LayersModel, g: GraphData): void {
  const byName = new Map(g.initializers.map((t) => [t.name, t]));
  const get = (name: string) => {
    const t = byName.get(name);
    if (!t) throw new TypeError(`the ONNX backbone has no initializer "${name}"`);
    return tf.tensor(t.data as Float32Array, [...t.shape]);
  };
  for (const layer of model.layers) {
    const n = layer.name;
    if (n.endsWith(".conv")) {
      layer.setWeights([tf.transpose(get(`${n}.w`), [2, 3, 1, 0])]);
    } else if (n.endsWith(".bn")) {
      const stem = n.slice(0, -3);
      layer.setWeights(
        ["scale", "bias", "mean", "var"].map((s) => get(`${stem}.bn.${s}`)),
      );
    } else if (n === "fc") {
      layer.setWeights([tf.transpose(get("fc.w")), get("fc.b")]);
    }
  }
}

/** Number of trainable values of a tfjs model (BN moving statistics excluded). */
export function trainableCount(model: Tf.LayersModel): number {
  let n = 0;
  for (const w of model.trainableWeights) n += w.shape.reduce((p: number, d) => p * (d ?? 0), 1);
  return n;
}

/** Options of {@link createTfjsTrainer}. */
export interface TfjsTrainerOptions {
  readonly lr: number;
  /** SGD momentum (tfjs `train.momentum`: `v = mu v + g; w -= lr v`, as adaspring's SGD). */
  readonly momentum: number;
  /** Channels-first sample shape [C, H, W] of the batches given to `step`. */
  readonly inputShape: readonly number[];
}

/** Trains a tfjs model with softmax cross-entropy and SGD-momentum, one batch at a time. */
export interface TfjsTrainer {
  /** One optimizer step on channels-first `x` and labels `y`; resolves to the batch's mean loss. */
  step(x: Float32Array, y: Int32Array): Promise<number>;
  /**
   * Mean loss on a batch in training mode (batch statistics), without a weight update (BN
   * moving statistics do move, as in any training-mode forward pass).
   */
  loss(x: Float32Array, y: Int32Array): Promise<number>;
  dispose(): void;
}

/** Creates a {@link TfjsTrainer} for `model` (see {@link buildTfjsBackbone}). */
export function createTfjsTrainer(
  tf: Tfjs,
  model: Tf.LayersModel,
  o: TfjsTrainerOptions,
): TfjsTrainer {
  const [c, h, w] = o.inputShape;
  const classes = model.outputs[0].shape[1] as number;
  const optimizer = tf.train.momentum(o.lr, o.momentum);
  const tensors = (x: Float32Array, y: Int32Array) =>
    tf.tidy(() => ({
      nhwc: tf.transpose(tf.tensor4d(x, [y.length, c, h, w]), [0, 2, 3, 1]),
      onehot: tf.oneHot(tf.tensor1d(y, "int32"), classes),
    }));
  const lossFn = (xs: Tf.Tensor, ys: Tf.Tensor) => () =>
    tf.losses.softmaxCrossEntropy(
      ys,
      model.apply(xs, { training: true }) as Tf.Tensor,
    ) as Tf.Scalar;
  return {
    async step(x, y) {
      const { nhwc, onehot } = tensors(x, y);
      const cost = optimizer.minimize(lossFn(nhwc, onehot), true)!;
      const v = (await cost.data())[0];
      tf.dispose([nhwc, onehot, cost]);
      return v;
    },
    async loss(x, y) {
      const { nhwc, onehot } = tensors(x, y);
      const cost = tf.tidy(lossFn(nhwc, onehot));
      const v = (await cost.data())[0];
      tf.dispose([nhwc, onehot, cost]);
      return v;
    },
    dispose: () => optimizer.dispose(),
  };
}
