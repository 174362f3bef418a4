/**
 * Terminal tables (cli-table3) that drop colour when output is not a terminal or NO_COLOR is
 * set, so that logs and piped output stay plain text.
 *
 * @module
 */
import Table from "cli-table3";

/** Options accepted by {@link table}: cli-table3's constructor options. */
export type TableOptions = ConstructorParameters<typeof Table>[0];

/** True when ANSI colours should be used on stdout. */
export function useColor(): boolean {
  return Deno.stdout.isTerminal() && !Deno.noColor;
}

/**
 * A cli-table3 table, coloured only on a terminal.
 *
 * @example
 * ```ts
 * import { table } from "./table.ts";
 * const t = table({ head: ["a", "b"] });
 * t.push(["1", "2"]);
 * console.assert(t.toString().includes("1"));
 * ```
 */
export function table(options: TableOptions = {}): InstanceType<typeof Table> {
  const style = useColor() ? options.style : { head: [], border: [], ...options.style };
  return new Table({ ...options, style });
}
