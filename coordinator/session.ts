/**
 * A run with its control layer: the experiment's plan goes to the driver as its schedule, the controller follows
 * every window and metrics interval, the gRPC control API serves while the run lasts (optionally before it, for
 * --wait-for-start), and experiment.json is written next to the other results.
 *
 * Checkpoints hold the control layer's state (control-state.ts), so such a run resumes (`resume` with its
 * `control`) with the records, effects and plan it had at the checkpoint. A lost host (`recoveries`) rolls the
 * hosts and the coordinator's ledgers back while the controller, which lives in this process and lost nothing,
 * stays as it is: the live commands applied since the checkpoint are applied again at their simulated times
 * (run-recovery.ts), and intervals closed again are not heard twice.
 */
import { experimentProbe } from "./control/experiment-probe.ts";
import { newRunId, type TwinRunOptions, type TwinRunResult } from "./run.ts";
import { runTwinWithRecovery } from "./run-recovery.ts";
import { decodeControlState, encodeControlState } from "./control/control-state.ts";
import { RunController } from "./control/controller.ts";
import { startControlServer, type ControlServer } from "./control/grpc-server.ts";
import type { ServerTlsFiles } from "./control/tls.ts";
import { driverSchedule, emptyPlan, type ExperimentPlan } from "./control/plan.ts";
import { writeExperimentResults, type ExperimentOutcome } from "./control/results.ts";

export interface ControlApiOptions {
  host?: string;
  port: number;
  token: string;
  anonymousRead?: boolean;
  tls?: ServerTlsFiles;
}

export interface ControlledRunOptions extends Omit<TwinRunOptions, "schedule"> {
  plan?: ExperimentPlan;
  control?: ControlApiOptions;
  /** Hold the run until a StartRun call (needs `control`). */
  waitForStart?: boolean;
  /** Called once the control API listens (with host:port). */
  onControlListening?: (address: string) => void;
  /** Called with the controller once it exists (tests drive it directly). */
  onController?: (controller: RunController) => void;
  /** Recover from a lost host this many times (run-recovery.ts; default 0). */
  recoveries?: number;
}

export interface ControlledRunResult extends TwinRunResult {
  experiment: ExperimentOutcome;
}

export async function runControlled(options: ControlledRunOptions): Promise<ControlledRunResult> {
  const runId = options.runId ?? newRunId();
  const log = options.log ?? (() => {});
  // A resumed run takes its plan and control state from the checkpoint.
  const restored = options.resume?.control === undefined ? undefined : decodeControlState(options.resume.control);
  const plan = restored?.plan ?? options.plan ?? emptyPlan();
  const controller = new RunController({
    scenario: options.scenario,
    plan,
    runId,
    hostCount: options.hosts,
    speed: options.speed,
    clock: options.clock,
    waitForStart: options.waitForStart === true && options.control !== undefined,
    log,
  });
  if (restored !== undefined) controller.restore(restored.controller, options.resume!.meta.at_ns);
  options.onController?.(controller);
  let server: ControlServer | undefined;
  try {
    if (options.control !== undefined) {
      server = await startControlServer(controller, { ...options.control, log });
      log(`control API listening on ${server.address} (gRPC dctwin.v1.Control, grpc.health.v1.Health, reflection)`);
      options.onControlListening?.(server.address);
      if (controller.runState === "waiting") log("waiting for StartRun (dctwin control start)");
    }
    const onInterrupt = () => controller.stop("interrupted");
    options.signal?.addEventListener("abort", onInterrupt, { once: true });
    if (options.signal?.aborted) onInterrupt();
    await controller.started;
    let result: TwinRunResult;
    const probe = experimentProbe(controller);
    if (restored !== undefined) probe.restore(restored.probe);
    try {
      result = await runTwinWithRecovery({
        ...options,
        recoveries: options.recoveries ?? 0,
        runId,
        controlSnapshot: () => encodeControlState({ plan, controller: controller.snapshot(), probe: probe.snapshot() }),
        schedule: driverSchedule(plan),
        signal: controller.stopSignal,
        faults: probe,
        onDriver: (driver) => {
          controller.attach(driver);
          options.onDriver?.(driver);
        },
        onBoundary: (timeNs) => {
          controller.onBoundary(timeNs);
          options.onBoundary?.(timeNs);
        },
        onWindow: (progress) => {
          controller.onWindow(progress);
          options.onWindow?.(progress);
        },
        onIntervalClosed: (record, ledger) => {
          controller.onIntervalClosed(record, ledger);
          probe.onIntervalClosed(record, ledger);
          options.onIntervalClosed?.(record, ledger);
        },
      });
    } catch (error) {
      controller.finish(undefined, error);
      throw error;
    } finally {
      options.signal?.removeEventListener("abort", onInterrupt);
    }
    controller.finish(result.outcome);
    const experiment = writeExperimentResults(
      options.outDir,
      controller,
      result.outcome,
      result.ledgers,
      result.intervals,
    );
    return { ...result, experiment };
  } finally {
    await server?.close();
  }
}
