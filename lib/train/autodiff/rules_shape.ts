/**
 * Backward rules of data-movement ops: reshapes move the gradient back, Transpose applies the
 * inverse permutation, Concat slices the gradient, Slice pads it, Expand sums it.
 *
 * @module
 */
import { getInt, getInts } from "../../onnx/attr.ts";
import { toNumbers } from "../../onnx/dtype.ts";
import { sliceRange } from "../../onnx/geometry.ts";
import type { Tensor } from "../../onnx/graph.ts";
import { pad, slice, transpose } from "../../onnx/ops/shape.ts";
import { AdaspringError } from "../../errors.ts";
import { type BackwardRule, reshapeLike, type RuleContext, unbroadcast } from "./rule.ts";

const reshapeBack: BackwardRule = {
  doc: "dx = reshape(dy, shape(x))",
  backward: (c) => [reshapeLike(c.dy(0)!, c.x(0))],
};

function constInput(c: RuleContext, i: number): number[] | undefined {
  const name = c.node.inputs[i];
  if (!name) return undefined;
  const v = c.g.constantValue(name);
  if (v === undefined) {
    throw new AdaspringError(`${c.node.opType} "${c.node.name}": input ${i} must be a constant`);
  }
  return toNumbers(v.data);
}

function sliceBackward(c: RuleContext): Tensor {
  const x = c.x(0);
  const starts = constInput(c, 1)!;
  const ends = constInput(c, 2)!;
  const axes = (constInput(c, 3) ?? starts.map((_, i) => i)).map((a) => (a < 0 ? a + x.rank : a));
  const steps = constInput(c, 4) ?? starts.map(() => 1);
  const pads = new Array(2 * x.rank).fill(0);
  axes.forEach((a, i) => {
    if (steps[i] !== 1) {
      throw new AdaspringError(
        `Slice "${c.node.name}": backward supports step 1 only, got step ${steps[i]} on axis ${a}`,
      );
    }
    const r = sliceRange(x.dim(a), starts[i], ends[i], 1);
    pads[a] = r.start;
    pads[a + x.rank] = x.dim(a) - r.start - r.count;
  });
  return pad(c.dy(0)!, pads);
}

/** Rules of data-movement ops, by op type. */
export const shapeRules: Readonly<Record<string, BackwardRule>> = {
  Reshape: reshapeBack,
  Flatten: reshapeBack,
  Squeeze: reshapeBack,
  Unsqueeze: reshapeBack,
  Transpose: {
    doc: "dx = transpose(dy, inverse(perm))",
    backward: (c) => {
      const rank = c.x(0).rank;
      const perm = getInts(c.node.attributes, "perm", [...Array(rank).keys()].reverse());
      const inv = new Array(rank);
      perm.forEach((p, i) => (inv[p] = i));
      return [transpose(c.dy(0)!, inv)];
    },
  },
  Concat: {
    doc: "dx_i = slice of dy along axis at x_i's offset",
    backward: (c) => {
      const rank = c.x(0).rank;
      const a0 = getInt(c.node.attributes, "axis", 0);
      const axis = a0 < 0 ? a0 + rank : a0;
      let offset = 0;
      return c.node.inputs.map((_, i) => {
        const len = c.x(i).dim(axis);
        const start = offset;
        offset += len;
        return c.needs(i) ? slice(c.dy(0)!, [start], [start + len], [axis]) : undefined;
      });
    },
  },
  Slice: {
    doc: "dx = zero-pad(dy) back to x's extent (step 1)",
    backward: (c) => [sliceBackward(c)],
  },
  Expand: { doc: "dx = sum-to-shape(dy)", backward: (c) => [unbroadcast(c.dy(0)!, c.x(0))] },
  Pad: {
    doc: "dx = slice of dy without the pads (constant mode)",
    backward: (c) => {
      const x = c.x(0);
      const pads = constInput(c, 1)!;
      const r = x.rank;
      const axes = [...Array(r).keys()];
      return [slice(c.dy(0)!, axes.map((a) => pads[a]), axes.map((a) => pads[a] + x.dim(a)), axes)];
    },
  },
};
