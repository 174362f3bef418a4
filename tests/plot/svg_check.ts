/**
 * Test helpers: a small well-formedness check for the SVG the charts emit (Deno has no
 * DOMParser), and reading `<image>` placements back out of hand-built SVG.
 *
 * @module
 */
import assert from "node:assert/strict";

const TAG = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
const ENTITY = /&(?:#\d+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);/y;

/**
 * Assert that `svg` is one well-formed `<svg>` element: every tag closes in order, attributes
 * are quoted, and text has no raw `<` or stray `&`.
 */
export function assertWellFormedSvg(svg: string): void {
  assert.ok(svg.startsWith("<svg"), `does not start with <svg: ${svg.slice(0, 40)}`);
  const stack: string[] = [];
  let i = 0;
  while (i < svg.length) {
    if (svg[i] === "<") {
      TAG.lastIndex = i;
      const m = TAG.exec(svg);
      assert.ok(m, `malformed tag at ${i}: ${svg.slice(i, i + 60)}`);
      const [whole, closing, name, , selfClosing] = m;
      if (closing) {
        assert.equal(stack.pop(), name, `</${name}> closes the wrong element at ${i}`);
      } else if (!selfClosing) {
        stack.push(name);
      }
      i += whole.length;
      if (stack.length === 0) break;
    } else if (svg[i] === "&") {
      ENTITY.lastIndex = i;
      assert.ok(ENTITY.test(svg), `stray & at ${i}: ${svg.slice(i, i + 20)}`);
      i++;
    } else {
      i++;
    }
  }
  assert.deepEqual(stack, [], "unclosed elements");
  assert.equal(svg.slice(i).trim(), "", "content after the root element");
}

/** Placement of an `<image>` element. */
export interface ImageBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The boxes of all `<image>` elements, in document order. */
export function imageBoxes(svg: string): ImageBox[] {
  return [...svg.matchAll(/<image x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)]
    .map((m) => ({ x: +m[1], y: +m[2], width: +m[3], height: +m[4] }));
}

/** RGB of the pixel at (x, y) of RGBA data `width` pixels wide. */
export function rgbAt(data: Uint8Array, width: number, x: number, y: number): number[] {
  const o = (y * width + x) * 4;
  return [data[o], data[o + 1], data[o + 2]];
}
