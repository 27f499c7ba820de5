/** Parsers for CLI flag values: each rejects bad input with a message that names what it expects. */
import { InvalidArgumentError } from "commander";
import { parseDurationFlag } from "../../scenario/units.ts";

export const EXIT_FAILED = 1;
export const EXIT_INVALID = 2;
export const EXIT_INTERRUPTED = 130;

export function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} expects a positive whole number`);
    return n;
  };
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError("expects a whole number from 0 to 2^53");
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError("expects a positive number");
  return n;
}

export function durationFlag(value: string): number {
  try {
    return parseDurationFlag("--duration", value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}


/** A duration flag in milliseconds ("30s", "2m", or seconds). */
export function durationMsFlag(value: string): number {
  try {
    return parseDurationFlag("duration", value) / 1e6;
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Exit code of a process ended by this signal, as a shell reports it (128 + the signal's number). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === "SIGTERM" ? 143 : signal === "SIGHUP" ? 129 : EXIT_INTERRUPTED;
}
