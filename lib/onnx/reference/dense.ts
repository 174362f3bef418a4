/**
 * Float64 reference kernels of dense and normalization ops: Gemm, MatMul,
 * BatchNormalization (inference and training mode), Softmax, LogSoftmax and
 * SoftmaxCrossEntropyLoss.
 *
 * @module
 */
import { getFloat, getInt, getString } from "../attr.ts";
import type { Kernel } from "./conv.ts";
import {
  aroundAxis,
  broadcastIndex,
  broadcastShape,
  make,
  normAxis,
  type RefTensor,
} from "./tensor.ts";

const gemm: Kernel = ([a, b, c], node) => {
  const ta = getInt(node.attributes, "transA", 0) === 1;
  const tb = getInt(node.attributes, "transB", 0) === 1;
  const alpha = getFloat(node.attributes, "alpha", 1);
  const beta = getFloat(node.attributes, "beta", 1);
  const [m, k] = ta ? [a!.shape[1], a!.shape[0]] : [a!.shape[0], a!.shape[1]];
  const n = tb ? b!.shape[0] : b!.shape[1];
  const y = make(a!.dtype, [m, n]);
  const cIdx = c ? broadcastIndex(c.shape, [m, n]) : undefined;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) {
        const av = ta ? a!.data[p * m + i] : a!.data[i * k + p];
        const bv = tb ? b!.data[j * k + p] : b!.data[p * n + j];
        acc += av * bv;
      }
      y.data[i * n + j] = alpha * acc + (c ? beta * c.data[cIdx![i * n + j]] : 0);
    }
  }
  return [y];
};

const matMul: Kernel = ([a, b]) => {
  const as = a!.shape.length === 1 ? [1, a!.shape[0]] : a!.shape;
  const bs = b!.shape.length === 1 ? [b!.shape[0], 1] : b!.shape;
  const m = as[as.length - 2];
  const k = as[as.length - 1];
  const n = bs[bs.length - 1];
  const batch = broadcastShape([as.slice(0, -2), bs.slice(0, -2)]);
  const nb = batch.reduce((p, d) => p * d, 1);
  const aIdx = broadcastIndex(as.slice(0, -2), batch);
  const bIdx = broadcastIndex(bs.slice(0, -2), batch);
  const shape = [...batch];
  if (a!.shape.length > 1) shape.push(m);
  if (b!.shape.length > 1) shape.push(n);
  const y = make(a!.dtype, shape);
  for (let t = 0; t < nb; t++) {
    const ao = aIdx[t] * m * k;
    const bo = bIdx[t] * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) acc += a!.data[ao + i * k + p] * b!.data[bo + p * n + j];
        y.data[(t * m + i) * n + j] = acc;
      }
    }
  }
  return [y];
};

const batchNorm: Kernel = ([x, scale, bias, mean, variance], node) => {
  const eps = getFloat(node.attributes, "epsilon", 1e-5);
  const momentum = getFloat(node.attributes, "momentum", 0.9);
  const training = getInt(node.attributes, "training_mode", 0) === 1;
  const [n, c] = x!.shape;
  const inner = x!.shape.slice(2).reduce((p, d) => p * d, 1);
  const count = n * inner;
  let mu = mean!.data;
  let v = variance!.data;
  const outs: RefTensor[] = [];
  if (training) {
    mu = new Float64Array(c);
    v = new Float64Array(c);
    for (let ci = 0; ci < c; ci++) {
      let s = 0;
      for (let ni = 0; ni < n; ni++) {
        for (let i = 0; i < inner; i++) s += x!.data[(ni * c + ci) * inner + i];
      }
      mu[ci] = s / count;
      let q = 0;
      for (let ni = 0; ni < n; ni++) {
        for (let i = 0; i < inner; i++) q += (x!.data[(ni * c + ci) * inner + i] - mu[ci]) ** 2;
      }
      v[ci] = q / count; // population variance, as ONNX specifies
    }
    const running = (old: Float64Array, batch: Float64Array) => {
      const r = make(mean!.dtype, [c]);
      for (let ci = 0; ci < c; ci++) r.data[ci] = momentum * old[ci] + (1 - momentum) * batch[ci];
      return r;
    };
    outs.push(running(mean!.data, mu), running(variance!.data, v));
  }
  const y = make(x!.dtype, x!.shape);
  for (let ni = 0; ni < n; ni++) {
    for (let ci = 0; ci < c; ci++) {
      const k = scale!.data[ci] / Math.sqrt(v[ci] + eps);
      const off = (ni * c + ci) * inner;
      for (let i = 0; i < inner; i++) {
        y.data[off + i] = (x!.data[off + i] - mu[ci]) * k + bias!.data[ci];
      }
    }
  }
  return [y, ...outs];
};

function softmaxLike(log: boolean): Kernel {
  return ([x], node) => {
    const axis = normAxis(getInt(node.attributes, "axis", -1), x!.shape.length);
    return [softmaxAlong(x!, axis, log)];
  };
}

/** Softmax (or log-softmax) of `x` along `axis`, numerically stable. */
export function softmaxAlong(x: RefTensor, axis: number, log: boolean): RefTensor {
  const [outer, size, inner] = aroundAxis(x.shape, axis);
  const y = make(x.dtype, x.shape);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number) => (o * size + j) * inner + i;
      let max = -Infinity;
      for (let j = 0; j < size; j++) max = Math.max(max, x.data[at(j)]);
      let sum = 0;
      for (let j = 0; j < size; j++) sum += Math.exp(x.data[at(j)] - max);
      const logSum = Math.log(sum);
      for (let j = 0; j < size; j++) {
        const z = x.data[at(j)] - max;
        y.data[at(j)] = log ? z - logSum : Math.exp(z) / sum;
      }
    }
  }
  return y;
}

const softmaxCrossEntropy: Kernel = ([scores, labels, weights], node) => {
  const reduction = getString(node.attributes, "reduction", "mean");
  const ignore = node.attributes.ignore_index
    ? getInt(node.attributes, "ignore_index", 0)
    : undefined;
  const logProb = softmaxAlong(scores!, 1, true);
  const [n, c] = scores!.shape;
  const inner = scores!.shape.slice(2).reduce((p, d) => p * d, 1);
  const loss = make(scores!.dtype, [n, ...scores!.shape.slice(2)]);
  let weightSum = 0;
  for (let ni = 0; ni < n; ni++) {
    for (let i = 0; i < inner; i++) {
      const label = labels!.data[ni * inner + i];
      if (label === ignore) continue;
      const w = weights ? weights.data[label] : 1;
      loss.data[ni * inner + i] = -w * logProb.data[(ni * c + label) * inner + i];
      weightSum += w;
    }
  }
  if (reduction === "none") return [loss, logProb];
  const total = loss.data.reduce((p, v) => p + v, 0);
  const out = make(scores!.dtype, []);
  out.data[0] = reduction === "sum" ? total : total / weightSum;
  return [out, logProb];
};

/** Kernels of this module by op type. */
export const denseKernels: Readonly<Record<string, Kernel>> = {
  Gemm: gemm,
  MatMul: matMul,
  BatchNormalization: batchNorm,
  Softmax: softmaxLike(false),
  LogSoftmax: softmaxLike(true),
  SoftmaxCrossEntropyLoss: softmaxCrossEntropy,
};
