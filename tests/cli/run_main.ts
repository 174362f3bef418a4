/**
 * Runs the CLI in-process (`main`) and captures what it prints, for tests of whole commands.
 *
 * @module
 */
import { main } from "../../cli/main.ts";

/** `adaspring ARGS` in this process: its exit code, stdout and stderr (console and raw writes). */
export async function runMain(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const saved = { log: console.log, error: console.error, warn: console.warn };
  const outWrite = Deno.stdout.writeSync, errWrite = Deno.stderr.writeSync;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = console.warn = (...a: unknown[]) => err.push(a.join(" "));
  // Commander writes help and usage errors straight to the streams.
  const dec = new TextDecoder();
  Deno.stdout.writeSync = (b: Uint8Array) => (out.push(dec.decode(b)), b.length);
  Deno.stderr.writeSync = (b: Uint8Array) => (err.push(dec.decode(b)), b.length);
  try {
    const code = await main(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    Object.assign(console, saved);
    Deno.stdout.writeSync = outWrite;
    Deno.stderr.writeSync = errWrite;
  }
}
