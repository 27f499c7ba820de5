/**
 * A fault action is one module plus its registration: a throw-away `test-blackhole` (links lose a share of their
 * packets), declared and registered here and nowhere else, is an action of experiment files, of `dctwin inject`
 * (with its own flag) and of the gRPC API (as the `plugin` case). In an experiment it does exactly what the
 * built-in `loss` does with the same probability (the same packets, to the packet); its parameter is checked by
 * its schema in all three front ends, and each names the bad field in its own words.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { Command, InvalidArgumentError } from "commander";
import { stringify } from "yaml";
import { registerInjectCommand } from "../cli/commands/inject.ts";
import { RunController } from "../coordinator/control/controller.ts";
import { startControlServer } from "../coordinator/control/grpc-server.ts";
import { emptyPlan } from "../coordinator/control/plan.ts";
import { registerFault } from "../coordinator/control/faults/registry.ts";
import { onLinks } from "../coordinator/control/faults/targets.ts";
import { runControlled } from "../coordinator/session.ts";
import { loadScenarioText } from "../coordinator/scenario-loader.ts";
import { ScenarioError } from "../scenario/issues.ts";
import { defineFaultAction } from "../spec/faults/define.ts";
import { probability } from "../spec/faults/fields.ts";
import type { FaultAction } from "../spec/requests.ts";
import { protoOnlyClient } from "./support/control-client.ts";
import { tempDir } from "./support/scenarios.ts";

// ---- the action: one module's worth ------------------------------------------------------------------------

interface BlackholeAction extends FaultAction {
  type: "test-blackhole";
  share: number;
}

registerFault<BlackholeAction>(
  defineFaultAction<BlackholeAction, unknown>({
    type: "test-blackhole",
    summary: "the links lose a share of their packets",
    fields: { share: probability },
    build(f, at, issues) {
      if (f.share === undefined) issues.push({ path: at("share"), message: "required: the share of packets lost" });
      return { type: "test-blackhole", share: (f.share as number) ?? 0 };
    },
    toFields: (a) => ({ share: a.share }),
    flags: [{ name: "share", value: "p", field: "share", help: "test-blackhole: the share of packets lost" }],
  }),
  (ctx) => onLinks(ctx, () => ({ loss: ctx.action.share })),
);

// ---- its uses ------------------------------------------------------------------------------------------------

const dir = tempDir("dctwin-fault-plugin-");
after(() => dir.remove());
const TOKEN = "plugin-token";

const base = {
  name: "plugin",
  run: { duration: "3s", seed: 5, metrics_interval: "500ms", warmup: "0s" },
  actors: [
    { id: "users", kind: "client", target: "web-1", arrivals: { process: "poisson", rate_per_s: 300 } },
    { id: "web-1", kind: "server", cores: 2, service: { distribution: "exponential", mean: "2ms" } },
  ],
  links: [{ a: "users", b: "web-1", latency: "100us", bandwidth: "10Gbps" }],
};
const link = { links: ["users--web-1"] };

async function runWith(fault: Record<string, unknown>, name: string) {
  const { scenario, experiment } = loadScenarioText(
    stringify({
      ...base,
      experiment: { faults: [{ name: "cut", selector: link, at: "1s", duration: "1s", ...fault }] },
    }),
    `${name}.yaml`,
  );
  return runControlled({
    scenario,
    hosts: 1,
    transport: "inproc",
    outDir: `${dir.path}/${name}`,
    plan: experiment!.plan,
  });
}

test("a registered fault action runs from an experiment file, exactly as the built-in action it mirrors", async () => {
  const plugin = await runWith({ action: "test-blackhole", share: "30%" }, "plugin");
  const builtin = await runWith({ action: "loss", loss: 0.3 }, "builtin");
  const lost = (plugin.summary.packets.dropped_by_reason as Record<string, number>).link_loss ?? 0;
  assert.ok(lost > 0, "the blackhole loses packets");
  assert.deepEqual(plugin.summary.packets, builtin.summary.packets);
  assert.deepEqual(plugin.summary.link_traffic, builtin.summary.link_traffic);
  assert.deepEqual(plugin.summary.thermodynamics, builtin.summary.thermodynamics);

  // Its parameter is checked by its schema, and other actions' parameters are refused, with field paths.
  const issues = (() => {
    try {
      loadScenarioText(
        stringify({
          ...base,
          experiment: {
            faults: [
              { action: "test-blackhole", share: 2, selector: link, at: "1s" },
              { action: "test-blackhole", share: 0.5, latency: "1ms", selector: link, at: "1s" },
              { action: "test-blackhole", selector: link, at: "1s" },
            ],
          },
        }),
        "bad.yaml",
      );
    } catch (error) {
      if (error instanceof ScenarioError) return error.issues;
      throw error;
    }
    return [];
  })();
  const paths = issues.map((i) => i.path);
  assert.ok(paths.includes("experiment.faults[0].share"), JSON.stringify(issues));
  assert.ok(
    issues.some((i) => i.path === "experiment.faults[1].latency" && i.message === "not a parameter of test-blackhole"),
    JSON.stringify(issues),
  );
  assert.ok(paths.includes("experiment.faults[2].share"), JSON.stringify(issues));
});

test("a registered fault action is injected over gRPC (plugin case) and by `dctwin inject` with its own flag", async () => {
  const { scenario } = loadScenarioText(stringify(base), "plugin.yaml");
  const controller = new RunController({
    scenario,
    plan: emptyPlan(),
    runId: "r-plugin",
    hostCount: 1,
    waitForStart: true,
  });
  const server = await startControlServer(controller, { port: 0, token: TOKEN });
  const { call, refused, close } = protoOnlyClient(server.address, TOKEN);
  try {
    const fault = await call("InjectFault", {
      fault: { selector: link, plugin: { action: "test-blackhole", params_json: '{"share": "25%"}' } },
    });
    assert.equal(fault.action, "test-blackhole");
    assert.deepEqual(fault.targets, ["users--web-1"]);
    assert.deepEqual(JSON.parse(fault.spec.plugin.params_json), { share: 0.25 });
    await refused(
      "InjectFault",
      { fault: { selector: link, plugin: { action: "test-blackhole", params_json: '{"share": 2}' } } },
      grpc.status.INVALID_ARGUMENT,
      "fault.plugin.params_json.share",
    );
    await refused(
      "InjectFault",
      { fault: { selector: { links: ["a--b"] }, plugin: { action: "test-blackhole", params_json: '{"share": 1}' } } },
      grpc.status.NOT_FOUND,
      "fault.selector.links[0]",
    );
    await refused(
      "InjectFault",
      { fault: { plugin: { action: "no-such-action", params_json: "{}" } } },
      grpc.status.INVALID_ARGUMENT,
      "fault.plugin.action",
    );

    // The CLI, built after the registration, has the action and its flag.
    const inject = async (...args: string[]) => {
      const program = new Command().exitOverride();
      registerInjectCommand(program);
      await program.parseAsync(["inject", ...args, "--control", server.address, "--token", TOKEN, "--json"], {
        from: "user",
      });
    };
    const injected = async (...args: string[]) => {
      const printed: string[] = [];
      const log = console.log;
      console.log = (text: string) => printed.push(text);
      try {
        await inject(...args);
      } finally {
        console.log = log;
      }
      assert.equal(process.exitCode ?? 0, 0);
      return JSON.parse(printed.join("\n"));
    };
    const viaCli = await injected("test-blackhole", "--links", "users--web-1", "--share", "0.4", "--name", "from-cli");
    assert.equal(viaCli.action, "test-blackhole");
    assert.equal(viaCli.spec.name, "from-cli");
    assert.deepEqual(viaCli.targets, ["users--web-1"]);
    // Built-in actions take their flags from their modules too (units parsed as in experiment files).
    const delayed = await injected("delay", "--links", "users--web-1", "--latency", "5ms", "--jitter", "250us");
    assert.deepEqual(delayed.spec.linkDelay, { latencyNs: 5_000_000, jitterNs: 250_000 });
    const split = await injected("partition", "--actors", "users", "--other-actors", "web-1");
    assert.deepEqual(
      [split.action, split.spec.partition.other.actors, split.targets],
      ["partition", ["web-1"], ["users--web-1"]],
    );
    const hot = await injected("cpu-throttle", "--kinds", "server");
    assert.deepEqual([hot.action, hot.spec.actorCommand.clearCommand], ["command:throttle", "unthrottle"]);
    const listed = (await call("ListFaults", {})).faults.map((f: { action: string }) => f.action);
    assert.deepEqual(listed, ["test-blackhole", "test-blackhole", "delay", "partition", "command:throttle"]);
    // Bad flags are refused before anything is sent (the CLI exits 2 on InvalidArgumentError), naming the flag.
    await assert.rejects(
      inject("test-blackhole", "--links", "users--web-1", "--share", "2"),
      (e: Error) => e instanceof InvalidArgumentError && /^--share: expected a probability/.test(e.message),
    );
    await assert.rejects(
      inject("test-blackhole", "--links", "users--web-1", "--share", "0.1", "--latency", "1ms"),
      (e: Error) => e instanceof InvalidArgumentError && e.message === "--latency is not a parameter of test-blackhole",
    );
    await assert.rejects(
      inject("test-blackhole", "--links", "users--web-1"),
      (e: Error) => e instanceof InvalidArgumentError && /^--share: required/.test(e.message),
    );
  } finally {
    close();
    await server.close();
    controller.stop("test over");
  }
});
