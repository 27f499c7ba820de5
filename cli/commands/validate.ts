/** `dctwin validate FILE`: check a scenario without running it. */
import type { Command } from "commander";
import { loadScenarioFile } from "../../coordinator/scenario-loader.ts";
import { collect } from "./flags.ts";
import { counted } from "./counted.ts";

export function registerValidateCommand(program: Command): void {
  program
    .command("validate")
    .description("Check a scenario file without running it; prints every problem with its field path.")
    .argument("<file>", "scenario YAML file")
    .option(
      "--allow-outside <path>",
      "let the scenario read files (traces) in this folder too, besides its own folder (repeatable)",
      collect,
      [],
    )
    .action((file: string, opts: { allowOutside: string[] }) => {
      const { scenario, warnings } = loadScenarioFile(file, { allowOutside: opts.allowOutside });
      for (const w of warnings) console.error(`warning: ${w}`);
      console.log(
        `${file}: valid (${counted(scenario.actors.length, "actor")}, ${counted(scenario.links.length, "link")}, ${scenario.run.durationNs / 1e9} s simulated)`,
      );
    });
}
