/**
 * The opt-in native backend: onnxruntime-node (ONNX Runtime's C++ CPU build) over the same
 * model bytes. It is not a dependency of adaspring (288 MB, a native addon): a user installs
 * it into `.native/` (git-ignored) with {@link NATIVE_INSTALL_COMMAND}, and it is loaded from
 * there only when backend `native` is asked for. Deno needs `--allow-ffi` to load it (the
 * `adaspring` task grants it).
 *
 * Sessions default to one intra-op thread so that web and native figures compare like with
 * like; pass `threads` for more.
 *
 * @module
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { AdaspringError, ExitCode, missingDependency } from "../errors.ts";
import { repoPath } from "../util/paths.ts";
import { openOrtSession, type OrtBinding, ortCache } from "./ort_session.ts";
import type { Backend, Session, SessionOptions } from "./types.ts";

/** The exact command that installs the native backend, run from the repository root. */
export const NATIVE_INSTALL_COMMAND =
  "ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix .native onnxruntime-node@1.30.0";

const bindings = new Map<string, OrtBinding>();
const cache = ortCache();

/**
 * Directory the native backend is installed into: `<repo>/.native`, or `ADASPRING_NATIVE_DIR`
 * when set (e.g. to share one install between checkouts).
 */
export function nativeDir(): string {
  return Deno.env.get("ADASPRING_NATIVE_DIR") || repoPath(".native");
}

/** True when onnxruntime-node is installed in {@link nativeDir}. */
export function isNativeInstalled(): boolean {
  try {
    Deno.statSync(join(nativeDir(), "node_modules", "onnxruntime-node", "package.json"));
    return true;
  } catch {
    return false;
  }
}

/** True when this process may load native code (`--allow-ffi`). */
export function hasFfiPermission(): boolean {
  return Deno.permissions.querySync({ name: "ffi" }).state === "granted";
}

/** True when the native backend can be used here: installed and permitted. */
export function nativeAvailable(): boolean {
  return isNativeInstalled() && hasFfiPermission();
}

/**
 * Loads onnxruntime-node from `.native/` (once per process).
 *
 * @throws {AdaspringError} (missing dependency) saying how to install it or which permission
 * is missing.
 */
export function loadNative(): OrtBinding {
  const dir = nativeDir();
  const loaded = bindings.get(dir);
  if (loaded) return loaded;
  if (!isNativeInstalled()) {
    throw missingDependency(
      `the native backend (onnxruntime-node) is not installed in ${dir}; ` +
        `install it from the repository root with: ${NATIVE_INSTALL_COMMAND}`,
    );
  }
  if (!hasFfiPermission()) {
    throw missingDependency(
      "the native backend needs Deno's --allow-ffi permission to load onnxruntime-node; " +
        "run through `deno task adaspring` (which grants it) or add --allow-ffi",
    );
  }
  let binding: OrtBinding;
  try {
    const require = createRequire(join(dir, "node_modules", "/"));
    binding = require("onnxruntime-node") as OrtBinding;
  } catch (e) {
    throw new AdaspringError(
      `cannot load onnxruntime-node from ${dir}: ${(e as Error).message}; ` +
        `reinstall it with: ${NATIVE_INSTALL_COMMAND}`,
      { exitCode: ExitCode.missingDependency, cause: e },
    );
  }
  bindings.set(dir, binding);
  return binding;
}

/** Creates an onnxruntime-node session over ONNX model bytes. */
export function createNativeSession(
  bytes: Uint8Array,
  options: SessionOptions = {},
): Promise<Session> {
  return openOrtSession("native", loadNative(), cache, bytes, options, {
    executionProviders: ["cpu"],
    graphOptimizationLevel: "all",
    intraOpNumThreads: options.threads ?? 1,
    interOpNumThreads: 1,
    logSeverityLevel: 3,
  });
}

/** The native backend as a {@link Backend}. */
export const nativeBackend: Backend = { name: "native", createSession: createNativeSession };
