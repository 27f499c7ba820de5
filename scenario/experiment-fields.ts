/** Field schemas the sections of an experiment share. */
import { z } from "zod";
import { duration } from "../spec/units.ts";

const nameMessage = "expected a name of letters, digits, '-' and '_'";
export const name = z.string({ error: nameMessage }).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { error: nameMessage });

export const wholeNumber = (min: number) =>
  z
    .number({ error: `expected a whole number of at least ${min}` })
    .int({ error: `expected a whole number of at least ${min}` })
    .min(min, { error: `expected a whole number of at least ${min}` });

export const positiveNumber = (what: string) =>
  z
    .number({ error: `expected a positive ${what}` })
    .positive({ error: `expected a positive ${what}` })
    .finite();

/** When an entry happens: at a time, optionally again every so often (a number of times, or until the run ends). */
export const durationFields = {
  at: duration({ positive: false }),
  every: duration().optional(),
  repeat: wholeNumber(1).optional(),
};

export function repeat(entry: { at: number; every?: number; repeat?: number }) {
  return {
    atNs: entry.at,
    everyNs: entry.every ?? null,
    times: entry.repeat ?? (entry.every === undefined ? 1 : null),
  };
}
