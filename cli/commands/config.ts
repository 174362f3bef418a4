/**
 * `adaspring config validate FILE...` and `adaspring config show FILE`.
 *
 * @module
 */
import { type Command, Option } from "@commander-js/extra-typings";
import { stringify } from "yaml";
import { AdaspringError, ExitCode } from "../../lib/errors.ts";
import { CONFIG_KINDS, type ConfigKind, inferKind, schemaFor } from "../../lib/config/kinds.ts";
import { loadConfigFile } from "../../lib/config/source.ts";

const kindOption = () =>
  new Option("--kind <kind>", "config kind (default: from the folder)").choices(CONFIG_KINDS);

/** Register the `config` command group. */
export function registerConfigCommands(program: Command<[], { json?: true }>): void {
  const config = program.command("config").description("validate and show YAML configs");

  config.command("validate")
    .description("check task, platform and context files; errors give file:line:col")
    .argument("<files...>", "YAML files")
    .addOption(kindOption())
    .action(async (files, opts, cmd) => {
      const json = cmd.optsWithGlobals().json === true;
      const results: { path: string; kind?: ConfigKind; ok: boolean; error?: string }[] = [];
      for (const path of files) {
        try {
          const kind = (opts.kind as ConfigKind | undefined) ?? inferKind(path);
          await loadConfigFile(path, schemaFor(kind));
          results.push({ path, kind, ok: true });
        } catch (err) {
          if (!(err instanceof AdaspringError)) throw err;
          results.push({ path, ok: false, error: err.message });
        }
      }
      if (json) console.log(JSON.stringify(results, null, 2));
      else {
        for (const r of results) {
          if (r.ok) console.log(`ok     ${r.path} (${r.kind})`);
          else console.error(r.error);
        }
      }
      const bad = results.filter((r) => !r.ok).length;
      if (bad > 0) {
        throw new AdaspringError(`${bad} of ${results.length} config file(s) are invalid.`, {
          exitCode: ExitCode.badInput,
        });
      }
    });

  config.command("show")
    .description("print a config resolved with its defaults")
    .argument("<file>", "YAML file")
    .addOption(kindOption())
    .action(async (file, opts, cmd) => {
      const kind = (opts.kind as ConfigKind | undefined) ?? inferKind(file);
      const { config: value, hash } = await loadConfigFile(file, schemaFor(kind));
      if (cmd.optsWithGlobals().json) {
        console.log(JSON.stringify({ path: file, kind, sha256: hash, config: value }, null, 2));
      } else {
        console.log(`# ${file} (${kind}, sha256 ${hash.slice(0, 12)}), resolved with defaults`);
        console.log(stringify(value).trimEnd());
      }
    });
}
