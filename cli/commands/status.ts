/** `dctwin status`: where a running twin is (state, simulated time, faults, load), over its control API. */
import type { Command } from "commander";
import { addClientOptions, plain, seconds, stateName, withClient, type ClientFlags } from "./control.ts";

export function registerStatusCommand(program: Command): void {
  addClientOptions(
    program
      .command("status")
      .description("Show a running twin's state, simulated time, active faults and client load (gRPC control API)."),
  )
    .option("--all", "also list cleared faults")
    .action((flags: ClientFlags & { all?: boolean }) =>
      withClient(flags, async (client) => {
        const status = await client.call("getStatus", {});
        const { faults } = await client.call("listFaults", { includeCleared: flags.all === true });
        if (flags.json) {
          console.log(JSON.stringify({ status: plain(status), faults: plain(faults) }, null, 2));
          return;
        }
        const pct =
          Number(status.durationNs) > 0
            ? ` (${((100 * Number(status.simTimeNs)) / Number(status.durationNs)).toFixed(1)}%)`
            : "";
        const lines = [
          `run ${status.runId} (${status.scenario}): ${stateName(status.state)}${status.error ? `: ${status.error}` : ""}`,
          `  t = ${seconds(status.simTimeNs)} of ${seconds(status.durationNs)}${pct}, ${status.windows} windows, ${status.hosts} host(s)${status.speed > 0 ? `, paced at ${status.speed}×` : ""}`,
          `  faults: ${status.activeFaults} active, ${status.pendingFaults} pending; ${status.faultedActors} actor(s) and ${status.faultedLinks} link(s) faulted; ${status.appliedCommands} command(s) applied`,
        ];
        for (const f of faults) {
          const until =
            Number(f.clearedNs) >= 0
              ? `cleared at ${seconds(f.clearedNs)}`
              : Number(f.clearDueNs) >= 0
                ? `until ${seconds(f.clearDueNs)}`
                : "until cleared";
          const state = ["?", "pending", "active", "cleared"][f.state ?? 0] ?? "?";
          lines.push(
            `  ${(f.id ?? "").padEnd(14)} ${state.padEnd(8)} ${(f.action ?? "").padEnd(12)} ${(f.source ?? "").padEnd(8)} from ${seconds(f.injectedNs)} ${until}: ${(f.targets ?? []).join(", ")}`,
          );
        }
        for (const l of status.load)
          lines.push(
            `  load ${l.actor}: ×${Number((l.factor ?? 0).toFixed(6))} (${Number((l.ratePerS ?? 0).toFixed(3))} /s)`,
          );
        console.log(lines.join("\n"));
      }),
    );
}
