/**
 * The gRPC control API, through a client built from proto/dctwin/v1/control.proto alone (@grpc/proto-loader, as a
 * third party would): health checking and reflection answer; calls without the token are refused; malformed
 * requests get INVALID_ARGUMENT naming the field, unknown targets NOT_FOUND; the client starts, watches, pauses,
 * faults, loads and stops a paced run, and a fault injected while paused takes effect at the paused time.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { stringify } from "yaml";
import { RunController } from "../coordinator/control/controller.ts";
import { startControlServer } from "../coordinator/control/grpc-server.ts";
import { emptyPlan } from "../coordinator/control/plan.ts";
import { runControlled } from "../coordinator/session.ts";
import { loadScenarioText } from "../coordinator/scenario-loader.ts";
import { protoOnlyClient, until, type Any } from "./support/control-client.ts";
import { tempDir } from "./support/scenarios.ts";

const dir = tempDir("dctwin-grpc-");
after(() => dir.remove());

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const TOKEN = "s3cret-token";
const options = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true };
const healthPkg = grpc.loadPackageDefinition(
  loadSync(join(ROOT, "node_modules/grpc-health-check/proto/health/v1/health.proto"), options),
) as Any;
const reflectionPkg = grpc.loadPackageDefinition(
  loadSync("grpc/reflection/v1/reflection.proto", {
    ...options,
    includeDirs: [join(ROOT, "node_modules/@grpc/reflection/build/proto")],
  }),
) as Any;

function clients(address: string) {
  return protoOnlyClient(address, TOKEN);
}

const scenarioYaml = stringify({
  name: "grpc",
  run: { duration: "600s", seed: 9, metrics_interval: "500ms", warmup: "0s" }, // stopped by the test long before its end, whatever the load
  actors: [
    { id: "users", kind: "client", target: "web-1", arrivals: { process: "poisson", rate_per_s: 200 } },
    { id: "web-1", kind: "server", cores: 2, service: { distribution: "exponential", mean: "2ms" } },
  ],
  links: [{ a: "users", b: "web-1", latency: "200us", bandwidth: "10Gbps" }],
});

test("control API - health, reflection, authentication and status codes", async () => {
  const { scenario } = loadScenarioText(scenarioYaml, "grpc.yaml");
  const controller = new RunController({
    scenario,
    plan: emptyPlan(),
    runId: "r-auth",
    hostCount: 1,
    waitForStart: true,
  });
  const server = await startControlServer(controller, { port: 0, token: TOKEN });
  const open = await startControlServer(controller, { port: 0, token: TOKEN, anonymousRead: true });
  const { control, call, refused } = clients(server.address);
  try {
    // Standard health checking, for the server and for the service.
    const health = new healthPkg.grpc.health.v1.Health(server.address, grpc.credentials.createInsecure());
    for (const service of ["", "dctwin.v1.Control"]) {
      const r: Any = await new Promise((resolve, reject) =>
        health.Check({ service }, (e: Error | null, x: Any) => (e ? reject(e) : resolve(x))),
      );
      assert.equal(r.status, "SERVING");
    }
    health.close();
    // Reflection names the services.
    const reflection = new reflectionPkg.grpc.reflection.v1.ServerReflection(
      server.address,
      grpc.credentials.createInsecure(),
    );
    const stream = reflection.ServerReflectionInfo();
    const listed: Any = await new Promise((resolve, reject) => {
      stream.on("data", resolve);
      stream.on("error", reject);
      stream.write({ list_services: "" });
    });
    stream.end();
    reflection.close();
    const names = listed.list_services_response.service.map((s: Any) => s.name);
    assert.ok(names.includes("dctwin.v1.Control") && names.includes("grpc.health.v1.Health"), names.join(", "));

    // Authentication: state-changing calls always need the token; reads too unless anonymous reads are on.
    await refused("StartRun", {}, grpc.status.UNAUTHENTICATED, undefined, null);
    await refused("InjectFault", { fault: { actor_crash: {} } }, grpc.status.UNAUTHENTICATED, undefined, "wrong");
    await refused("GetStatus", {}, grpc.status.UNAUTHENTICATED, undefined, null);
    const anon = clients(open.address);
    assert.equal((await anon.call("GetStatus", {}, null)).state, "RUN_STATE_WAITING");
    await anon.refused("PauseRun", {}, grpc.status.UNAUTHENTICATED, undefined, null);
    anon.control.close();

    // Malformed requests name the field; unknown targets are NOT_FOUND; wrong states FAILED_PRECONDITION.
    await refused("InjectFault", {}, grpc.status.INVALID_ARGUMENT, "fault");
    await refused(
      "InjectFault",
      { fault: { selector: { actors: ["web-1"] } } },
      grpc.status.INVALID_ARGUMENT,
      "fault.action",
    );
    await refused(
      "InjectFault",
      { fault: { link_loss: { probability: 2 } } },
      grpc.status.INVALID_ARGUMENT,
      "fault.link_loss.probability",
    );
    await refused(
      "InjectFault",
      { fault: { link_delay: { latency_ns: 0 } } },
      grpc.status.INVALID_ARGUMENT,
      "fault.link_delay.latency_ns",
    );
    await refused(
      "InjectFault",
      { fault: { actor_crash: {}, mode: "SELECT_MODE_FIXED" } },
      grpc.status.INVALID_ARGUMENT,
      "fault.value",
    );
    await refused(
      "InjectFault",
      { fault: { actor_crash: {}, selector: { links: ["users--web-1"] } } },
      grpc.status.INVALID_ARGUMENT,
      "fault.selector.links",
    );
    await refused(
      "InjectFault",
      { fault: { actor_command: { command: "throttle", args_json: "{not json" } } },
      grpc.status.INVALID_ARGUMENT,
      "fault.actor_command.args_json",
    );
    await refused(
      "InjectFault",
      { fault: { actor_crash: {}, selector: { actors: ["nope"] } } },
      grpc.status.NOT_FOUND,
      "fault.selector.actors[0]",
    );
    await refused(
      "InjectFault",
      { fault: { link_down: {}, selector: { links: ["a--b"] } } },
      grpc.status.NOT_FOUND,
      "fault.selector.links[0]",
    );
    await refused(
      "ChangeLoad",
      { change: { set: { rate_per_s: 100, factor: 2 } } },
      grpc.status.INVALID_ARGUMENT,
      "change.set",
    );
    await refused(
      "ChangeLoad",
      { change: { ramp: { target: { factor: 2 } } } },
      grpc.status.INVALID_ARGUMENT,
      "change.ramp.duration_ns",
    );
    await refused(
      "ChangeLoad",
      { change: { selector: { actors: ["web-1"] }, set: { factor: 2 } } },
      grpc.status.INVALID_ARGUMENT,
      "change.selector.actors",
    );
    await refused(
      "ChangeLoad",
      {
        change: {
          curve: { arrivals_json: JSON.stringify({ process: "diurnal", mean_rate_per_s: 100, amplitude: 2 }) },
        },
      },
      grpc.status.INVALID_ARGUMENT,
      "change.curve.arrivals_json.amplitude",
    );
    await refused(
      "ChangeLoad",
      { change: { curve: { arrivals_json: "{not json" } } },
      grpc.status.INVALID_ARGUMENT,
      "change.curve.arrivals_json",
    );
    await refused("ChangeLoad", { change: { curve: {} } }, grpc.status.INVALID_ARGUMENT, "change.curve.arrivals_json");
    // Bounds (spec/limits.ts): a load factor of 1e12 or a million-step ramp is refused, not run.
    await refused(
      "ChangeLoad",
      { change: { set: { factor: 1e12 } } },
      grpc.status.INVALID_ARGUMENT,
      "change.set.factor",
    );
    await refused(
      "ChangeLoad",
      { change: { spike: { target: { rate_per_s: 1e15 }, duration_ns: 1e9 } } },
      grpc.status.INVALID_ARGUMENT,
      "change.spike.target.rate_per_s",
    );
    await refused(
      "ChangeLoad",
      { change: { ramp: { target: { factor: 2 }, duration_ns: 1e12 }, step_ns: 1 } },
      grpc.status.INVALID_ARGUMENT,
      "change.step_ns",
    );
    await refused("ClearFault", { id: "nope" }, grpc.status.NOT_FOUND, "id");
    await refused("ClearFault", {}, grpc.status.INVALID_ARGUMENT, "id");
    assert.equal((await call("StartRun", {})).state, "RUN_STATE_STARTING");
    await refused("StartRun", {}, grpc.status.FAILED_PRECONDITION);
  } finally {
    control.close();
    await server.close();
    await open.close();
  }
});

test("control API - a .proto-only client starts, watches, pauses, faults, loads and stops a paced run", async () => {
  const { scenario } = loadScenarioText(scenarioYaml, "grpc.yaml");
  const out = join(dir.path, "driven");
  let listening!: (address: string) => void;
  const address = new Promise<string>((r) => (listening = r));
  const run = runControlled({
    scenario,
    hosts: 1,
    transport: "inproc",
    speed: 10,
    outDir: out,
    control: { port: 0, token: TOKEN },
    waitForStart: true,
    onControlListening: (a) => listening(a),
  });
  const { control, call, watch } = clients(await address);
  try {
    // Before the start: a fault that is applied at t = 0.
    const early = await call("InjectFault", {
      fault: {
        name: "slow-net",
        link_delay: { latency_ns: 2_000_000 },
        selector: { links: ["users--web-1"] },
        duration_ns: 1_000_000_000,
      },
    });
    assert.equal(early.state, "FAULT_STATE_PENDING");
    const { intervals, ended: streamEnded } = watch();
    await call("StartRun", {});
    await until("4 intervals", () => intervals.length >= 4);

    // Paused, simulated time stands still, and a fault injected now takes effect at the paused time.
    const paused = await call("PauseRun", {});
    assert.equal(paused.state, "RUN_STATE_PAUSED");
    const crash = await call("InjectFault", {
      fault: { actor_crash: {}, selector: { kinds: ["server"] }, mode: "SELECT_MODE_ONE", duration_ns: 1_000_000_000 },
    });
    assert.deepEqual(crash.targets, ["web-1"]);
    assert.equal(crash.state, "FAULT_STATE_ACTIVE");
    assert.equal(crash.injected_ns, paused.sim_time_ns);
    await new Promise((r) => setTimeout(r, 200));
    const still = await call("GetStatus", {});
    assert.equal(still.sim_time_ns, paused.sim_time_ns);
    assert.equal(still.active_faults, 1);
    assert.equal(still.faulted_actors, 1);
    await call("ResumeRun", {});

    const spike = await call("ChangeLoad", {
      change: { selector: { kinds: ["client"] }, spike: { target: { factor: 3 }, duration_ns: 1_000_000_000 } },
    });
    assert.deepEqual(spike.targets, ["users"]);
    await until("the spike to end", async () => (await call("ListLoadChanges", {})).changes[0].steps_applied === 2);
    const crashEnd = Math.ceil((paused.sim_time_ns + 1e9) / 5e8);
    await until("the crash to clear", () => intervals.length >= crashEnd + 1);
    const faults = (await call("ListFaults", { include_cleared: true })).faults;
    assert.deepEqual(
      faults.map((f: Any) => [f.id, f.action, f.state]),
      [
        [early.id, "delay", "FAULT_STATE_CLEARED"],
        [crash.id, "actor-crash", "FAULT_STATE_CLEARED"],
      ],
    );
    assert.equal(faults[0].injected_ns, 0, "a fault given before the start applies at t = 0");
    const stopped = await call("StopRun", { reason: "test done" });
    assert.ok(["RUN_STATE_RUNNING", "RUN_STATE_PAUSED"].includes(stopped.state));
    const result = await run;
    await streamEnded;

    assert.equal(result.outcome.status, "interrupted");
    assert.deepEqual(
      intervals.map((m) => Number(m.interval)),
      intervals.map((_, i) => i),
      "every interval once, in order",
    );
    const crashed = intervals[Math.floor(paused.sim_time_ns / 5e8)]!;
    assert.ok(crashed.dropped_by_reason.actor_down > 0, JSON.stringify(crashed.dropped_by_reason));
    assert.ok(intervals.some((m) => m.active_faults === 1) && intervals.some((m) => m.faults_injected === 1));
    assert.ok(
      intervals[0]!.metrics.some((m: Any) => m.name === "response_time_s" && m.mean > 0.004),
      "the early delay (2 ms each way) shows in interval 0",
    );
    assert.ok(existsSync(join(out, "experiment.json")));
    const doc = JSON.parse(readFileSync(join(out, "experiment.json"), "utf8"));
    assert.equal(doc.faults.length, 2);
    assert.equal(doc.load_changes[0].steps_applied, 2);
    await assert.rejects(
      call("GetStatus", {}),
      (e: grpc.ServiceError) => e.code === grpc.status.UNAVAILABLE,
      "the API stops with the run",
    );
  } finally {
    control.close();
  }
});
