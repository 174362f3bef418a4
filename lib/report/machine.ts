/**
 * Facts about the machine a run happened on, recorded in every report so that a figure can be
 * traced to the hardware and software that produced it.
 *
 * @module
 */

/** Hardware and software facts of the current machine. */
export interface MachineFacts {
  hostname: string;
  os: string;
  arch: string;
  cpuModel: string;
  logicalCores: number;
  memoryBytes: number;
  deno: string;
  v8: string;
  typescript: string;
  onnxruntimeWeb: string;
}

/** The CPU model name from /proc/cpuinfo, or "unknown" where that file does not exist. */
export function cpuModel(): string {
  try {
    const text = Deno.readTextFileSync("/proc/cpuinfo");
    const m = text.match(/^model name\s*:\s*(.+)$/m) ?? text.match(/^Model\s*:\s*(.+)$/m);
    return m ? m[1].trim() : "unknown";
  } catch {
    return "unknown";
  }
}

/** The version of the installed onnxruntime-web package (read from its package.json). */
export function onnxruntimeWebVersion(): string {
  try {
    const url = import.meta.resolve("onnxruntime-web");
    // The resolved entry lives under .../onnxruntime-web/dist/...; walk up to its package.json.
    const path = new URL(url).pathname;
    const root = path.slice(0, path.lastIndexOf("/onnxruntime-web/") + "/onnxruntime-web/".length);
    return JSON.parse(Deno.readTextFileSync(`${root}package.json`)).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Collect {@link MachineFacts} for the current process.
 *
 * @example
 * ```ts
 * import { machineFacts } from "./machine.ts";
 * const m = machineFacts();
 * console.assert(m.logicalCores >= 1);
 * ```
 */
export function machineFacts(): MachineFacts {
  let hostname = "unknown";
  try {
    hostname = Deno.hostname();
  } catch { /* not permitted */ }
  let memoryBytes = 0;
  try {
    memoryBytes = Deno.systemMemoryInfo().total;
  } catch { /* not permitted */ }
  return {
    hostname,
    os: Deno.build.os,
    arch: Deno.build.arch,
    cpuModel: cpuModel(),
    logicalCores: navigator.hardwareConcurrency,
    memoryBytes,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    onnxruntimeWeb: onnxruntimeWebVersion(),
  };
}
