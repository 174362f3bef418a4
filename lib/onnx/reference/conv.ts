/**
 * Float64 reference kernels of the sliding-window ops: Conv, ConvTranspose, MaxPool,
 * AveragePool and the global pools, for any number of spatial dimensions.
 *
 * @module
 */
import { getInt, getInts } from "../attr.ts";
import { forwardWindow, transposeWindow, type Window } from "../geometry.ts";
import type { NodeData } from "../types.ts";
import { make, type RefTensor } from "./tensor.ts";

/** A kernel: input tensors (undefined when omitted) to output tensors. */
export type Kernel = (ins: readonly (RefTensor | undefined)[], node: NodeData) => RefTensor[];

function prod(xs: readonly number[]): number {
  return xs.reduce((p, d) => p * d, 1);
}

/**
 * For each (output position, kernel position) pair, the flat input spatial index it reads,
 * or -1 when it falls in the padding.
 */
function gatherTable(win: Window, spatial: readonly number[]): Int32Array {
  const k = spatial.length;
  const nOut = prod(win.out);
  const nK = prod(win.kernel);
  const table = new Int32Array(nOut * nK);
  const o = new Array<number>(k);
  const q = new Array<number>(k);
  for (let oi = 0; oi < nOut; oi++) {
    let r = oi;
    for (let d = k - 1; d >= 0; d--) {
      o[d] = r % win.out[d];
      r = Math.floor(r / win.out[d]);
    }
    for (let qi = 0; qi < nK; qi++) {
      let s = qi;
      for (let d = k - 1; d >= 0; d--) {
        q[d] = s % win.kernel[d];
        s = Math.floor(s / win.kernel[d]);
      }
      let flat = 0;
      for (let d = 0; d < k; d++) {
        const c = o[d] * win.strides[d] - win.pads[d] + q[d] * win.dilations[d];
        if (c < 0 || c >= spatial[d]) {
          flat = -1;
          break;
        }
        flat = flat * spatial[d] + c;
      }
      table[oi * nK + qi] = flat;
    }
  }
  return table;
}

/** Conv with groups, strides, pads, dilations, optional bias. */
export const conv: Kernel = ([x, w, b], node) => {
  const [n, c] = x!.shape;
  const spatial = x!.shape.slice(2);
  const m = w!.shape[0];
  const cg = w!.shape[1];
  const group = getInt(node.attributes, "group", 1);
  const kernel = getInts(node.attributes, "kernel_shape", w!.shape.slice(2));
  const win = forwardWindow(node.attributes, kernel, spatial);
  const table = gatherTable(win, spatial);
  const nOut = prod(win.out);
  const nK = prod(kernel);
  const nIn = prod(spatial);
  const y = make(x!.dtype, [n, m, ...win.out]);
  const mg = m / group;
  for (let ni = 0; ni < n; ni++) {
    for (let mi = 0; mi < m; mi++) {
      const g = Math.floor(mi / mg);
      const bias = b ? b.data[mi] : 0;
      const yOff = (ni * m + mi) * nOut;
      for (let oi = 0; oi < nOut; oi++) {
        let acc = bias;
        for (let ci = 0; ci < cg; ci++) {
          const xOff = (ni * c + g * cg + ci) * nIn;
          const wOff = (mi * cg + ci) * nK;
          for (let qi = 0; qi < nK; qi++) {
            const at = table[oi * nK + qi];
            if (at >= 0) acc += x!.data[xOff + at] * w!.data[wOff + qi];
          }
        }
        y.data[yOff + oi] = acc;
      }
    }
  }
  return [y];
};

/** ConvTranspose (the adjoint of Conv), scattering each input element through the kernel. */
export const convTranspose: Kernel = ([x, w, b], node) => {
  const [n, c] = x!.shape;
  const spatial = x!.shape.slice(2);
  const group = getInt(node.attributes, "group", 1);
  const mg = w!.shape[1];
  const m = mg * group;
  const cg = c / group;
  const kernel = getInts(node.attributes, "kernel_shape", w!.shape.slice(2));
  const tw = transposeWindow(node.attributes, kernel, spatial);
  // y[o] += x[s] * w[q] where o = s*stride - pad + q*dilation: the conv table with roles swapped.
  const table = gatherTable({ ...tw, out: spatial }, tw.out);
  const nIn = prod(spatial);
  const nOut = prod(tw.out);
  const nK = prod(kernel);
  const y = make(x!.dtype, [n, m, ...tw.out]);
  for (let ni = 0; ni < n; ni++) {
    for (let ci = 0; ci < c; ci++) {
      const g = Math.floor(ci / cg);
      const xOff = (ni * c + ci) * nIn;
      for (let mm = 0; mm < mg; mm++) {
        const mi = g * mg + mm;
        const yOff = (ni * m + mi) * nOut;
        const wOff = (ci * mg + mm) * nK;
        for (let si = 0; si < nIn; si++) {
          const xv = x!.data[xOff + si];
          for (let qi = 0; qi < nK; qi++) {
            const at = table[si * nK + qi];
            if (at >= 0) y.data[yOff + at] += xv * w!.data[wOff + qi];
          }
        }
      }
    }
  }
  if (b) {
    for (let ni = 0; ni < n; ni++) {
      for (let mi = 0; mi < m; mi++) {
        const yOff = (ni * m + mi) * nOut;
        for (let oi = 0; oi < nOut; oi++) y.data[yOff + oi] += b.data[mi];
      }
    }
  }
  return [y];
};

function pool(kind: "max" | "avg"): Kernel {
  return ([x], node) => {
    const [n, c] = x!.shape;
    const spatial = x!.shape.slice(2);
    const kernel = getInts(node.attributes, "kernel_shape", []);
    const ceil = getInt(node.attributes, "ceil_mode", 0) === 1;
    const includePad = getInt(node.attributes, "count_include_pad", 0) === 1;
    const win = forwardWindow(node.attributes, kernel, spatial, ceil);
    const table = gatherTable(win, spatial);
    const padded = includePad ? paddedCounts(win, spatial) : undefined;
    const nOut = prod(win.out);
    const nK = prod(kernel);
    const nIn = prod(spatial);
    const y = make(x!.dtype, [n, c, ...win.out]);
    const idx = make("int64", [n, c, ...win.out]);
    for (let p = 0; p < n * c; p++) {
      for (let oi = 0; oi < nOut; oi++) {
        let best = -Infinity;
        let bestAt = -1;
        let sum = 0;
        let count = 0;
        for (let qi = 0; qi < nK; qi++) {
          const at = table[oi * nK + qi];
          if (at < 0) continue;
          const v = x!.data[p * nIn + at];
          if (v > best) {
            best = v;
            bestAt = p * nIn + at;
          }
          sum += v;
          count++;
        }
        y.data[p * nOut + oi] = kind === "max" ? best : sum / (padded ? padded[oi] : count);
        idx.data[p * nOut + oi] = bestAt;
      }
    }
    return kind === "max" ? [y, idx] : [y];
  };
}

/** Window sizes clipped to the padded input (the divisor with count_include_pad=1). */
function paddedCounts(win: Window, spatial: readonly number[]): Int32Array {
  const k = spatial.length;
  const counts = new Int32Array(prod(win.out));
  for (let oi = 0; oi < counts.length; oi++) {
    let r = oi;
    let total = 1;
    for (let d = k - 1; d >= 0; d--) {
      const o = r % win.out[d];
      r = Math.floor(r / win.out[d]);
      const start = o * win.strides[d] - win.pads[d];
      const end = Math.min(
        start + (win.kernel[d] - 1) * win.dilations[d] + 1,
        spatial[d] + win.pads[d + k],
      );
      total *= Math.ceil((end - start) / win.dilations[d]);
    }
    counts[oi] = total;
  }
  return counts;
}

function globalPool(kind: "max" | "avg"): Kernel {
  return ([x]) => {
    const [n, c] = x!.shape;
    const inner = prod(x!.shape.slice(2));
    const y = make(x!.dtype, [n, c, ...x!.shape.slice(2).map(() => 1)]);
    for (let p = 0; p < n * c; p++) {
      let acc = kind === "max" ? -Infinity : 0;
      for (let i = 0; i < inner; i++) {
        const v = x!.data[p * inner + i];
        acc = kind === "max" ? Math.max(acc, v) : acc + v;
      }
      y.data[p] = kind === "max" ? acc : acc / inner;
    }
    return [y];
  };
}

/** Kernels of this module by op type. */
export const convKernels: Readonly<Record<string, Kernel>> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool("max"),
  AveragePool: pool("avg"),
  GlobalAveragePool: globalPool("avg"),
  GlobalMaxPool: globalPool("max"),
};
