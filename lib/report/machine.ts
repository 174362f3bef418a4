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

/**
 * The CPU model name: from /proc/cpuinfo when readable (Deno allows that only with
 * --allow-all), else from `lscpu` (granted with --allow-run=lscpu), else "unknown".
 */
export function cpuModel(): string {
  try {
    const text = Deno.readTextFileSync("/proc/cpuinfo");
    const m = text.match(/^model name\s*:\s*(.+)$/m) ?? text.match(/^Model\s*:\s*(.+)$/m);
    if (m) return m[1].trim();
  } catch { /* not permitted or not Linux */ }
  try {
    const out = new Deno.Command("lscpu", { stdout: "piped", stderr: "null" }).outputSync();
    const m = new TextDecoder().decode(out.stdout).match(/^Model name:\s*(.+)$/m);
    if (m) return m[1].trim();
  } catch { /* no lscpu, or not permitted */ }
  return "unknown";
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
