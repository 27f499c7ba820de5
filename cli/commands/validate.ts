/** `dctwin validate FILE`: check a scenario without running it. */
import type { Command } from "commander";
import { loadScenarioFile } from "../../scenario/load.ts";

export function registerValidateCommand(program: Command): void {
  program
    .command("validate")
    .description("Check a scenario file without running it; prints every problem with its field path.")
    .argument("<file>", "scenario YAML file")
    .action((file: string) => {
      const { scenario, warnings } = loadScenarioFile(file);
      for (const w of warnings) console.error(`warning: ${w}`);
      console.log(`${file}: valid (${scenario.actors.length} actors, ${scenario.links.length} links, ${scenario.run.durationNs / 1e9} s simulated)`);
    });
}
