/**
 * A kind is one model file plus its registry entry: a throw-away chiller, declared here with a gauge metric, the
 * cooling energy role and a fault shorthand, runs in a scenario with no other change anywhere. Its metric is
 * exported as a Prometheus gauge in °C (from its declaration), its energy counts as cooling (closed form: P × the
 * time it ran), and its shorthand is a fault action an experiment can use.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringify } from "yaml";
import { z } from "zod";
import type { ActorModel } from "../nodes/runtime/actor.ts";
import { defineModel, registerKind } from "../nodes/models/registry.ts";
import { runTwin } from "../coordinator/run.ts";
import { createRunRegistry } from "../coordinator/observability/prometheus/exporter.ts";
import { RunState } from "../coordinator/observability/run-state.ts";
import { runViewFromScenario } from "../coordinator/observability/run-view.ts";
import { loadScenarioText } from "../coordinator/scenario-loader.ts";
import { tempDir } from "./support/scenarios.ts";

// ---- the kind: one file's worth ----------------------------------------------------------------------------

const chillerParams = z.object({ power_w: z.number().positive(), water_mk: z.number().int().positive() }).strict();
type ChillerParams = z.output<typeof chillerParams>;
const READ_EVERY_NS = 250_000_000;

const chillerModel: ActorModel<ChillerParams, { params: ChillerParams }> = {
  kind: "test_chiller",
  initial(params, ctx) {
    ctx.setPower("plant", params.power_w);
    ctx.schedule(0, 0);
    return { params };
  },
  onPacket(_state, packet, ctx) {
    ctx.drop(packet, "not_addressed");
  },
  onTimer(state, _tag, _arg, ctx) {
    ctx.record("chiller_water_mk", state.params.water_mk);
    ctx.schedule(READ_EVERY_NS, 0);
  },
  queued: () => 0,
  onCommand(state, command, _args, ctx) {
    ctx.setPower("plant", command === "chiller_stop" ? 0 : state.params.power_w);
  },
};

registerKind(
  "test_chiller",
  defineModel({
    params: chillerParams,
    model: chillerModel,
    commands: { chiller_stop: z.object({}).strict(), chiller_start: z.object({}).strict() },
    metrics: {
      chiller_water_mk: {
        type: "gauge",
        name: "chiller_water_temperature",
        unit: "celsius",
        scale: 1e-3,
        offset: -273_150,
        help: "Chilled-water temperature, in degrees Celsius",
      },
    },
    traits: {
      energyRole: "cooling",
      faultShorthands: { "chiller-trip": { command: "chiller_stop", clear: "chiller_start" } },
    },
  }),
);

// ---- the run -----------------------------------------------------------------------------------------------

const dir = tempDir("dctwin-kind-plugin-");
after(() => dir.remove());

test("a kind declared in one file and registered is validated, run, exported by its declaration and counted in cooling energy", async () => {
  const scenario = {
    name: "kind-plugin",
    run: { duration: "4s", seed: 3, metrics_interval: "1s" },
    actors: [
      {
        id: "users",
        kind: "client",
        target: "web",
        arrivals: { process: "poisson", rate_per_s: 20 },
        request_bytes: 300,
        response_bytes: 1000,
      },
      {
        id: "web",
        kind: "server",
        cores: 1,
        service: { distribution: "exponential", mean: "2ms" },
        power: { model: "linear", idle_w: 100, max_w: 200 },
      },
      { id: "chiller-1", kind: "test_chiller", power_w: 80, water_mk: 280_150 },
    ],
    links: [{ a: "users", b: "web", latency: "100us", bandwidth: "1Gbps" }],
    experiment: {
      faults: [
        { name: "trip", action: "chiller-trip", selector: { actors: ["chiller-1"] }, at: "1s", duration: "1500ms" },
      ],
    },
  };
  const { scenario: resolved, experiment } = loadScenarioText(stringify(scenario), "kind-plugin.yaml");
  assert.ok(experiment !== undefined);
  const state = new RunState(runViewFromScenario(resolved, "r-kind"), "actor");
  const registry = createRunRegistry(state, false);
  const { summary } = await runTwin({
    scenario: resolved,
    hosts: 1,
    transport: "inproc",
    runId: "r-kind",
    outDir: join(dir.path, "out"),
    schedule: experiment.plan.steps.flatMap((s) => s.commands.map((command) => ({ timeNs: s.timeNs, command }))),
    onIntervalClosed: (r) => state.onIntervalClosed(r),
  });
  // 80 W for the 4 s run less the 1.5 s trip: 200 J, all of it cooling.
  const heat = (
    summary as unknown as {
      thermodynamics: { heat: { cooling_energy_j: number; it_energy_j: number; energy_j: number } };
    }
  ).thermodynamics.heat;
  assert.ok(Math.abs(heat.cooling_energy_j - 200) < 1e-9, `cooling energy ${heat.cooling_energy_j} J`);
  assert.ok(Math.abs(heat.energy_j - heat.it_energy_j - heat.cooling_energy_j) < 1e-9);
  const text = await registry.metrics();
  assert.match(text, /^# TYPE dctwin_group_chiller_water_temperature_celsius gauge$/m);
  assert.match(text, /^dctwin_group_chiller_water_temperature_celsius\{group="test_chiller"[^}]*\} 7$/m);
  assert.match(text, /^dctwin_cooling_energy_joules_total\{[^}]*\} 200$/m);
});

test("a registered kind's fault shorthand is an action; an unknown action lists it", () => {
  const base = {
    name: "x",
    run: { duration: "2s" },
    actors: [{ id: "c", kind: "test_chiller", power_w: 1, water_mk: 1 }],
    links: [],
  };
  assert.throws(
    () =>
      loadScenarioText(
        stringify({ ...base, experiment: { faults: [{ action: "chiller-trips", at: "1s" }] } }),
        "x.yaml",
      ),
    (error: Error & { issues?: { path: string; message: string }[] }) =>
      error.issues?.some((i) => i.path === "experiment.faults[0].action" && i.message.includes("chiller-trip")) ===
      true,
  );
});
