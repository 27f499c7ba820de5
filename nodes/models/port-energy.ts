/**
 * Per-bit port energy spread over the transmission: a packet of b bits sent on a port whose wire is busy for
 * [now, free) draws E = energy_per_bit·b as a constant power E/(free − now) for exactly that stretch, so a 50 MB
 * transfer puts its joules in the intervals it spans, not all in its first. Ports without a bandwidth limit
 * serialize instantly: their energy is booked at once. The ports' draws add up in the component "ports_dynamic".
 */
import type { ActorContext } from "../runtime/actor.ts";

export const TX_DONE = 2;

export interface PortEnergy {
  /** Watts each port draws for the transmission in progress (0 when idle). */
  watts: number[];
}

export function newPortEnergy(ports: number): PortEnergy {
  return { watts: new Array<number>(ports).fill(0) };
}

/** Call right after the packet was handed to the port (ctx.send), with its energy. */
export function spreadTransmission(energy: PortEnergy, port: number, joules: number, ctx: ActorContext): void {
  const durationNs = ctx.portFreeNs(port) - ctx.nowNs;
  if (durationNs <= 0) {
    ctx.addEnergy("ports_dynamic", joules);
    return;
  }
  energy.watts[port] = joules / (durationNs * 1e-9);
  ctx.setPower("ports_dynamic", total(energy));
  ctx.schedule(durationNs, TX_DONE, port);
}

/** The TX_DONE timer of a port: idle again unless a newer transmission keeps it busy. */
export function transmissionDone(energy: PortEnergy, port: number, ctx: ActorContext): void {
  if (ctx.portFreeNs(port) > ctx.nowNs || energy.watts[port] === 0) return;
  energy.watts[port] = 0;
  ctx.setPower("ports_dynamic", total(energy));
}

function total(energy: PortEnergy): number {
  let w = 0;
  for (const x of energy.watts) w += x;
  return w;
}
