/**
 * Choosing a backend by name and opening sessions from bytes or files.
 *
 * @module
 */
import { badInput } from "../errors.ts";
import { readModelFile } from "../onnx/file.ts";
import { createNativeSession } from "./native.ts";
import { type BackendName, BACKENDS, type Session, type SessionOptions } from "./types.ts";
import { createWebSession } from "./web.ts";

/** Options of {@link createSession}: a backend plus the session options. */
export interface CreateSessionOptions extends SessionOptions {
  /** `web` (default) or `native`. */
  readonly backend?: string;
}

/**
 * Validates a backend name.
 *
 * @throws {AdaspringError} (bad input) for an unknown name, listing the known ones.
 *
 * @example
 * ```ts
 * import { parseBackend } from "./session.ts";
 * console.assert(parseBackend("web") === "web");
 * ```
 */
export function parseBackend(name: string): BackendName {
  if ((BACKENDS as readonly string[]).includes(name)) return name as BackendName;
  throw badInput(`unknown backend "${name}"; choose one of: ${BACKENDS.join(", ")}`);
}

/**
 * Opens a session over ONNX model bytes on the chosen backend (web by default).
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../onnx/graph.ts";
 * import { encodeModel } from "../onnx/proto/encode.ts";
 * import { createSession } from "./session.ts";
 * const g = new GraphBuilder("g");
 * g.output(g.add1("Neg", [g.input("x", "float32", [1])]), "y");
 * const s = await createSession(encodeModel(g.toModel()));
 * console.assert((await s.run({ x: { dtype: "float32", shape: [1], data: new Float32Array([3]) } })).y.data[0] === -3);
 * ```
 */
export async function createSession(
  bytes: Uint8Array,
  options: CreateSessionOptions = {},
): Promise<Session> {
  // async so that every failure, even a bad backend name, arrives as a rejection.
  const backend = parseBackend(options.backend ?? "web");
  return await (backend === "native"
    ? createNativeSession(bytes, options)
    : createWebSession(bytes, options));
}

/** Reads an `.onnx` file and opens a session over it; errors name the file. */
export async function loadSession(
  path: string,
  options: CreateSessionOptions = {},
): Promise<Session> {
  const backend = parseBackend(options.backend ?? "web");
  const { bytes } = await readModelFile(path);
  return createSession(bytes, { source: path, ...options, backend });
}
