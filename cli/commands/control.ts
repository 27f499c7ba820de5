/**
 * `dctwin control start|pause|resume|stop|watch|health`: steer a running coordinator over its gRPC control API,
 * plus what the other live commands share (address and token flags, error reporting) and what `dctwin run` uses
 * to run with an experiment and the control API.
 */
import { randomBytes } from "node:crypto";
import type * as grpc from "@grpc/grpc-js";
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import type { ControlClient } from "../../coordinator/control/grpc-client.ts";
import { RUN_STATE_NAMES } from "../../coordinator/control/proto-convert.ts";
import type { ControlledRunResult } from "../../coordinator/session.ts";
import type { TwinRunOptions, TwinRunResult } from "../../coordinator/run.ts";
import { runTwinWithRecovery } from "../../coordinator/run-recovery.ts";
import { loadExperimentFile, type ResolvedExperiment } from "../../coordinator/control/experiment.ts";
import { EXIT_FAILED, EXIT_INVALID, nonNegativeInt, port } from "./flags.ts";

/** A steady-state check of the experiment failed (the run itself completed): k6 users expect a non-zero exit. */
export const EXIT_CHECKS_FAILED = 3;

// ---- `dctwin run` with an experiment and the control API ------------------------------------------------

export interface RunControlFlags {
  experiment?: string;
  controlPort?: number;
  controlHost: string;
  controlToken?: string;
  controlAnonymousRead?: boolean;
  waitForStart?: boolean;
  controlTlsCert?: string;
  controlTlsKey?: string;
  controlTlsClientCa?: string;
}

/** Adds the experiment and control API flags to `dctwin run`. */
export function addRunControlOptions(command: Command): Command {
  return command
    .option(
      "--experiment <file>",
      "faults, load changes and checks to apply (YAML), or a recorded commands.json / experiment.json to replay; replaces the scenario's experiment section",
    )
    .option(
      "--control-port <port>",
      "serve the gRPC control API (dctwin inject, load, status, control) on this port while the run lasts (0: a free port; the address is printed)",
      port,
    )
    .option("--control-host <address>", "address the control API binds to", "127.0.0.1")
    .option(
      "--control-token <token>",
      "bearer token the control API requires for calls that change the run (default: $DCTWIN_CONTROL_TOKEN, else a random one, printed)",
    )
    .option("--control-anonymous-read", "let clients without the token read status, faults and metrics")
    .option("--wait-for-start", "with --control-port: hold the run until `dctwin control start` (StartRun)")
    .option(
      "--control-tls-cert <file>",
      "serve the control API over TLS with this certificate (PEM; with --control-tls-key)",
    )
    .option("--control-tls-key <file>", "private key of --control-tls-cert (PEM)")
    .option("--control-tls-client-ca <file>", "with TLS: require client certificates signed by this CA (PEM)");
}

/** Runs plainly, or with the control layer when there is an experiment or a control port. */
export async function runWithControl(
  options: TwinRunOptions & { recoveries?: number },
  flags: RunControlFlags,
  scenarioExperiment: ResolvedExperiment | undefined,
  log: (m: string) => void,
): Promise<TwinRunResult | ControlledRunResult> {
  let experiment = scenarioExperiment;
  if (flags.experiment !== undefined) {
    if (scenarioExperiment !== undefined)
      log(`--experiment ${flags.experiment} replaces the scenario's experiment section`);
    experiment = loadExperimentFile(flags.experiment, options.scenario);
    for (const w of experiment.warnings) console.error(`warning: ${w}`);
  }
  if (flags.waitForStart && flags.controlPort === undefined)
    throw new InvalidArgumentError("--wait-for-start needs --control-port");
  // A resumed run with a control layer gets it back from its checkpoint (with the experiment's plan).
  if (experiment === undefined && flags.controlPort === undefined && options.resume?.control === undefined)
    return runTwinWithRecovery({ ...options, recoveries: options.recoveries ?? 0 });
  let control;
  if (flags.controlPort !== undefined) {
    let token = flags.controlToken ?? process.env.DCTWIN_CONTROL_TOKEN;
    if (token === undefined || token === "") {
      token = randomBytes(16).toString("hex");
      console.error(`control API token: ${token} (pass --control-token or set DCTWIN_CONTROL_TOKEN to choose it)`);
    }
    control = {
      host: flags.controlHost,
      port: flags.controlPort,
      token,
      anonymousRead: flags.controlAnonymousRead === true,
      tls: serverTls(flags),
    };
  }
  // gRPC and the control layer load only when used (every CLI start, e.g. each host process, would pay for them).
  const { runControlled } = await import("../../coordinator/session.ts");
  const result = await runControlled({
    ...options,
    plan: experiment?.plan,
    control,
    waitForStart: flags.waitForStart,
    onControlListening: (address) => console.error(`control API listening on ${address}`),
  });
  if (result.experiment.failed > 0 && result.outcome.status === "completed") process.exitCode = EXIT_CHECKS_FAILED;
  return result;
}

function serverTls(flags: RunControlFlags) {
  if (flags.controlTlsCert === undefined && flags.controlTlsKey === undefined) {
    if (flags.controlTlsClientCa !== undefined)
      throw new InvalidArgumentError("--control-tls-client-ca needs --control-tls-cert and --control-tls-key");
    return undefined;
  }
  if (flags.controlTlsCert === undefined || flags.controlTlsKey === undefined)
    throw new InvalidArgumentError("--control-tls-cert and --control-tls-key go together");
  return { cert: flags.controlTlsCert, key: flags.controlTlsKey, clientCa: flags.controlTlsClientCa };
}

/** The experiment's lines after the run summary: faults and each check's verdict. */
export function printExperiment(result: TwinRunResult | ControlledRunResult): void {
  if (!("experiment" in result)) return;
  const e = result.experiment;
  if (e.checks.length > 0 || e.faults > 0) {
    const lines = [
      `  experiment: ${e.faults} fault(s); checks: ${e.passed} passed, ${e.failed} failed (experiment.json)`,
    ];
    for (const c of e.checks) {
      const verdict = c.passed === true ? "pass" : c.passed === false ? "FAIL" : "NO DATA";
      const observed =
        c.observed === null
          ? ` (${c.reason})`
          : `: observed ${/^\w+_s\b/.test(c.threshold) ? duration(c.observed) : Number(c.observed.toPrecision(6))}`;
      lines.push(`    ${verdict.padEnd(7)} ${c.name}: ${c.threshold} over [${c.from_s} s, ${c.to_s} s)${observed}`);
    }
    console.log(lines.join("\n"));
  }
}

function duration(seconds: number): string {
  const a = Math.abs(seconds);
  if (a >= 1 || a === 0) return `${Number(seconds.toPrecision(6))} s`;
  if (a >= 1e-3) return `${Number((seconds * 1e3).toPrecision(6))} ms`;
  return `${Number((seconds * 1e6).toPrecision(6))} µs`;
}

// ---- client side ------------------------------------------------------------------------------------------

export interface ClientFlags {
  control?: string;
  token?: string;
  json?: boolean;
  controlCa?: string;
  controlCert?: string;
  controlKey?: string;
}

/** Adds --control and --token to a client command. */
export function addClientOptions(command: Command): Command {
  return command
    .option("--control <address>", "host:port of the coordinator's control API (default: $DCTWIN_CONTROL)")
    .option("--token <token>", "bearer token (default: $DCTWIN_CONTROL_TOKEN)")
    .option("--json", "print the answer as JSON")
    .option("--control-ca <file>", "speak TLS to the control API, trusting this CA (PEM)")
    .option("--control-cert <file>", "client certificate for a control API that requires one (PEM; with --control-key)")
    .option("--control-key <file>", "private key of --control-cert (PEM)");
}

export async function connect(flags: ClientFlags): Promise<ControlClient> {
  const { ControlClient } = await import("../../coordinator/control/grpc-client.ts");
  const address = flags.control ?? process.env.DCTWIN_CONTROL;
  if (address === undefined || address === "")
    throw new InvalidArgumentError(
      "give --control HOST:PORT (the address `dctwin run --control-port` printed) or set DCTWIN_CONTROL",
    );
  if (!/^[^\s]+:\d+$/.test(address))
    throw new InvalidArgumentError(`--control expects HOST:PORT, got ${JSON.stringify(address)}`);
  return new ControlClient(address, flags.token ?? process.env.DCTWIN_CONTROL_TOKEN, clientTls(flags));
}

function clientTls(flags: ClientFlags) {
  return flags.controlCa === undefined && flags.controlCert === undefined && flags.controlKey === undefined
    ? undefined
    : { ca: flags.controlCa, cert: flags.controlCert, key: flags.controlKey };
}

/** Runs one client action; gRPC errors become messages and exit codes (2: refused request, 1: unreachable). */
export async function withClient(flags: ClientFlags, action: (client: ControlClient) => Promise<void>): Promise<void> {
  const client = await connect(flags);
  const { status } = await import("@grpc/grpc-js");
  try {
    await action(client);
  } catch (error) {
    const e = error as grpc.ServiceError;
    if (typeof e?.code !== "number") throw error;
    const name = status[e.code] ?? String(e.code);
    console.error(`dctwin: ${name}: ${e.details || e.message}`);
    const refused = [
      status.INVALID_ARGUMENT,
      status.NOT_FOUND,
      status.UNAUTHENTICATED,
      status.FAILED_PRECONDITION,
      status.PERMISSION_DENIED,
    ];
    process.exitCode = refused.includes(e.code) ? EXIT_INVALID : EXIT_FAILED;
  } finally {
    client.close();
  }
}

/** JSON of a decoded message (protobufjs messages have toJSON only with conversion code; spread the fields). */
export function plain(message: unknown): unknown {
  return JSON.parse(
    JSON.stringify(message, (_k, v: unknown) => {
      if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
      // 64-bit fields left at their default decode as Long objects (set ones as numbers).
      if (typeof v === "object" && v !== null && "low" in v && "high" in v && "unsigned" in v) return Number(v);
      return v;
    }),
  );
}

export function seconds(ns: number | null | undefined): string {
  return ns === null || ns === undefined || Number(ns) < 0
    ? "-"
    : `${(Number(ns) / 1e9).toFixed(6).replace(/\.?0+$/, "")} s`;
}

export function stateName(state: number | null | undefined): string {
  return RUN_STATE_NAMES[state ?? 0] ?? "unknown";
}

// ---- `dctwin control` -------------------------------------------------------------------------------------

export function registerControlCommand(program: Command): void {
  const control = program
    .command("control")
    .description("Steer a running twin over its gRPC control API (dctwin run --control-port P).");
  const simple = (
    name: "start" | "pause" | "resume",
    method: "startRun" | "pauseRun" | "resumeRun",
    description: string,
  ) =>
    addClientOptions(control.command(name).description(description)).action((flags: ClientFlags) =>
      withClient(flags, async (client) => {
        const s = await client.call(method, {});
        console.log(
          flags.json ? JSON.stringify(plain(s), null, 2) : `${stateName(s.state)} at t = ${seconds(s.simTimeNs)}`,
        );
      }),
    );
  simple("start", "startRun", "Start a run that waits for it (dctwin run --wait-for-start).");
  simple("pause", "pauseRun", "Hold the run at the next window boundary (simulated time stops).");
  simple("resume", "resumeRun", "Resume a paused run.");
  addClientOptions(
    control
      .command("stop")
      .description("End the run after the current window; its results are written (status interrupted)."),
  )
    .option("--reason <text>", "why (logged)", "")
    .action((flags: ClientFlags & { reason: string }) =>
      withClient(flags, async (client) => {
        const s = await client.call("stopRun", { reason: flags.reason });
        console.log(flags.json ? JSON.stringify(plain(s), null, 2) : `stopping at t = ${seconds(s.simTimeNs)}`);
      }),
    );
  addClientOptions(
    control
      .command("watch")
      .description("Print every metrics interval as it closes (from --from on), until the run ends."),
  )
    .option("--from <interval>", "first interval to print (earlier closed ones are replayed)", nonNegativeInt, 0)
    .action((flags: ClientFlags & { from: number }) =>
      withClient(flags, async (client) => {
        // `dctwin control watch | head` closes the pipe early: stop quietly.
        process.stdout.on("error", (e: NodeJS.ErrnoException) => (e.code === "EPIPE" ? process.exit(0) : undefined));
        const { done } = client.stream("watchMetrics", { fromInterval: flags.from }, (m) => {
          if (flags.json) return console.log(JSON.stringify(plain(m)));
          const rt = m.metrics.find((x) => x.name === "response_time_s");
          const drops = Object.entries(m.droppedByReason)
            .map(([r, n]) => `${r}=${n}`)
            .join(" ");
          console.log(
            `[${seconds(m.startNs)}, ${seconds(m.endNs)})  events ${m.events}  ${rt ? `response p99 ${((rt.p99 ?? 0) * 1e3).toFixed(3)} ms  ` : ""}power ${m.powerW.toFixed(1)} W  faults ${m.activeFaults}${drops ? `  drops ${drops}` : ""}`,
          );
        });
        await done;
      }),
    );
  addClientOptions(
    control.command("health").description("Ask the standard gRPC health service (grpc.health.v1.Health/Check)."),
  )
    .option("--service <name>", 'service to ask about ("" = the server)', "dctwin.v1.Control")
    .action(async (flags: ClientFlags & { service: string }) => {
      const address = flags.control ?? process.env.DCTWIN_CONTROL;
      if (!address) throw new InvalidArgumentError("give --control HOST:PORT or set DCTWIN_CONTROL");
      const grpc = await import("@grpc/grpc-js");
      const { service: healthService } = await import("grpc-health-check");
      const Health = grpc.makeGenericClientConstructor(healthService, "Health");
      const { clientCredentials } = await import("../../coordinator/control/tls.ts");
      const client = new Health(address, clientCredentials(clientTls(flags))) as unknown as grpc.Client & {
        check: (
          req: unknown,
          opts: grpc.CallOptions,
          cb: (e: grpc.ServiceError | null, r?: { status: string }) => void,
        ) => void;
      };
      try {
        const response = await new Promise<{ status: string }>((resolve, reject) =>
          client.check({ service: flags.service }, { deadline: Date.now() + 5000 }, (e, r) =>
            e ? reject(e) : resolve(r!),
          ),
        );
        console.log(response.status);
        if (response.status !== "SERVING") process.exitCode = EXIT_FAILED;
      } catch (error) {
        const e = error as grpc.ServiceError;
        console.error(`dctwin: ${grpc.status[e.code] ?? e.code}: ${e.details}`);
        process.exitCode = EXIT_FAILED;
      } finally {
        client.close();
      }
    });
}
