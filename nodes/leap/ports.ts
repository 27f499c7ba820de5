/**
 * What a leaping actor sends in one step, and the queues of its output ports.
 *
 * A port (one link direction) is a single-server queue whose service is serialization (size / bandwidth). While
 * it has no backlog and its load ρ (bytes offered this step over what the link carries in a step) is below 1, it
 * is quasi-steady: a packet waits with probability ρ, exponentially with the M/D/1 (Pollaczek–Khinchine) mean
 * wait given waiting, s̄/(2(1 − ρ)). At ρ >= 1, or while a backlog is left, it is a fluid: the backlog grows by
 * (offered − capacity) per step and drains, a packet waits backlog / bandwidth, and what exceeds the buffer (a
 * switch's; NICs are unlimited) is dropped at the tail. Packets leave in the step they were sent in, carrying
 * the wait in their flow's virtual clock, so the fluid backlog is a delay, not held packets.
 *
 * Virtual clock: a hop takes one step of pipeline here (more when a delay fault makes the wire time exceed a step)
 * but its own delay (wait + serialization + latency + jitter, the link as faults left it) in the twin, so the
 * sender moves the flow's start time (flowCreatedNs) by pipeline − delay; a client's response time
 * (now − flowCreatedNs) is then the sum of the per-hop delays it went through (docs/leap.md).
 */
import { LOCAL_PORT, type ActorContext, type LeapStep } from "../runtime/actor.ts";
import type { SimPacket } from "../runtime/packet.ts";
import { respondTo } from "../models/response.ts";
import { binomial } from "../runtime/sampling.ts";

interface Outgoing {
  packet: SimPacket;
  /** Time already spent at this actor before sending (e.g. a server's sojourn), in ns. */
  heldNs: number;
}

export interface PortQueues {
  /** Fluid backlog per port, in bytes. */
  backlogBytes: number[];
}

export function newPortQueues(portCount: number): PortQueues {
  return { backlogBytes: new Array<number>(portCount).fill(0) };
}

export class StepOutbox {
  private readonly byPort = new Map<number, Outgoing[]>();

  /** Queues a packet for `port` (LOCAL_PORT: handed over now, no link). `heldNs` is spent here before it. */
  add(packet: SimPacket, port: number, heldNs = 0): void {
    let list = this.byPort.get(port);
    if (list === undefined) this.byPort.set(port, (list = []));
    list.push({ packet, heldNs });
  }

  /**
   * Answers a request count: consumes it and queues its response (`sizeBytes` each, the same multiplicity, the
   * request's flow) toward the requester, `heldNs` after it arrived.
   */
  answer(request: SimPacket, sizeBytes: number, heldNs: number, ctx: ActorContext): void {
    this.add(respondTo(request, sizeBytes, ctx), ctx.route(request.src), heldNs);
  }

  /**
   * Sends everything, port by port in port order. `bufferBytes` (a switch's output buffer) bounds the backlog;
   * without it the port never drops.
   */
  flush(ctx: ActorContext, leap: LeapStep, queues: PortQueues, bufferBytes?: number): void {
    for (const port of [...this.byPort.keys()].sort((a, b) => a - b)) {
      const list = this.byPort.get(port)!;
      if (port === LOCAL_PORT) {
        // A local hand-over takes one step of pipeline too (adapter.ts defers it), but no time in the twin.
        for (const o of list) {
          o.packet.flowCreatedNs += leap.stepNs - Math.round(o.heldNs);
          ctx.send(o.packet, LOCAL_PORT);
        }
        continue;
      }
      sendOnPort(list, port, ctx, leap, queues, bufferBytes);
    }
    this.byPort.clear();
  }
}

/** A delay fault's jitter: one uniform draw from [0, jitter) for the count (none without jitter). */
function jitterNs(jitter: number, ctx: ActorContext): number {
  return jitter > 0 ? Math.floor(ctx.rng.uniform() * jitter) : 0;
}

/**
 * The pipeline a hop takes here: the receiver acts at its first mid-step after the packet arrives, one step on
 * when the wire time is under a step (the scenario's links: step > 2 × latency), more when a delay fault makes
 * it longer.
 */
function pipelineNs(wireNs: number, stepNs: number): number {
  return stepNs * Math.max(1, Math.ceil(wireNs / stepNs));
}

function sendOnPort(
  list: Outgoing[],
  port: number,
  ctx: ActorContext,
  leap: LeapStep,
  queues: PortQueues,
  bufferBytes: number | undefined,
): void {
  const link = ctx.portLink(port); // as faults left it: latency, jitter and bandwidth

  const bps = link.bandwidthBps;
  let bytes = 0;
  let packets = 0;
  for (const o of list) {
    bytes += o.packet.sizeBytes * o.packet.multiplicity;
    packets += o.packet.multiplicity;
  }
  const nsPerByte = bps > 0 ? 8e9 / bps : 0;
  const capacityBytes = bps > 0 ? leap.stepNs / nsPerByte : Number.POSITIVE_INFINITY;
  const before = queues.backlogBytes[port] ?? 0;
  const rho = bytes / capacityBytes;
  const fluid = before > 0 || rho >= 1;
  let dropFraction = 0;
  if (fluid) {
    let after = before + bytes - capacityBytes;
    if (bufferBytes !== undefined && after > bufferBytes) {
      dropFraction = (after - bufferBytes) / bytes;
      after = bufferBytes;
    }
    queues.backlogBytes[port] = Math.max(0, after);
  }
  const meanServiceNs = packets > 0 ? (bytes / packets) * nsPerByte : 0;
  for (const o of list) {
    const packet = o.packet;
    if (dropFraction > 0) {
      const lost = binomial(packet.multiplicity, Math.min(1, dropFraction), ctx.rng);
      if (lost === packet.multiplicity) {
        ctx.drop(packet, "buffer_full");
        continue;
      }
      if (lost > 0) ctx.drop(ctx.split(packet, lost), "buffer_full");
    }
    let waitNs: number;
    if (fluid) waitNs = (before + bytes / 2) * nsPerByte;
    else waitNs = rho > 0 && ctx.rng.uniform() < rho ? ctx.rng.exponential((2 * (1 - rho)) / meanServiceNs) : 0;
    const wireNs = packet.sizeBytes * nsPerByte + link.latencyNs + jitterNs(link.jitterNs, ctx);
    const hopNs = o.heldNs + waitNs + wireNs;
    packet.flowCreatedNs += pipelineNs(wireNs, leap.stepNs) - Math.round(hopNs);
    ctx.send(packet, port);
  }
}
