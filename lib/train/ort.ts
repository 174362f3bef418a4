/**
 * The one place lib/train opens ONNX Runtime sessions: a thin adapter over the shared
 * runtime (lib/runtime), so the trainer and the gradient tests name a backend and get a
 * session that runs plain tensors. Training sessions are not cached (each is used for a
 * whole run and released at its end).
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../onnx/graph.ts";
 * import { encodeModel } from "../onnx/proto/encode.ts";
 * import { openSession } from "./ort.ts";
 * const g = new GraphBuilder("g");
 * g.output(g.add1("Relu", [g.input("x", "float32", [2])]), "y");
 * const s = await openSession(encodeModel(g.toModel()));
 * const out = await s.run({ x: { dtype: "float32", shape: [2], data: new Float32Array([-1, 2]) } });
 * console.assert(out.y.data[1] === 2);
 * ```
 *
 * @module
 */
import { createSession } from "../runtime/session.ts";
import type { BackendName, Session } from "../runtime/types.ts";

export type { BackendName, Session } from "../runtime/types.ts";

/** Opens an uncached session over ONNX bytes on `backend` (default `web`, single-threaded). */
export function openSession(model: Uint8Array, backend: BackendName = "web"): Promise<Session> {
  return createSession(model, { backend, cache: false, source: "training artifact" });
}
