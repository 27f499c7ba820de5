/** Parameter schemas more than one fault action (or the experiment's other sections) use. */
import { z } from "zod";
import { emptySelector, type RequestIssue, type SelectorSpec } from "../requests.ts";

const list = z.array(z.string({ error: "expected a string" }), { error: "expected a list of strings" });

/** Which actors or links, as experiment files write it. */
export const selectorSchema = z
  .object({
    actors: list.default([]),
    kinds: list.default([]),
    groups: list.default([]),
    labels: z
      .record(z.string(), z.string({ error: "expected a string label value" }), {
        error: "expected a map of label names to values",
      })
      .default({}),
    links: list.default([]),
  })
  .strict();

export function selectorFromFields(s: z.output<typeof selectorSchema> | undefined): SelectorSpec {
  return s === undefined
    ? emptySelector()
    : { actors: s.actors, kinds: s.kinds, groups: s.groups, labels: s.labels, links: s.links };
}

/** A probability as a number from 0 to 1 or a percentage ("10%"). */
export const probability = z
  .union([z.number(), z.string()], { error: 'expected a probability like 0.1 or "10%"' })
  .transform((v, ctx) => {
    const p =
      typeof v === "number"
        ? v
        : /^\s*\d+(\.\d+)?\s*%\s*$/.test(v)
          ? Number(v.trim().replace(/\s*%$/, "")) / 100
          : Number.NaN;
    if (!(p >= 0 && p <= 1)) {
      ctx.addIssue({
        code: "custom",
        message: `expected a probability from 0 to 1 or a percentage (got ${JSON.stringify(v)})`,
      });
      return z.NEVER;
    }
    return p;
  });

/** A map of a model command's arguments. */
export const commandArgs = z.record(z.string(), z.unknown(), { error: "expected a map of arguments" });

/** Parses a value by its schema; problems are pushed with `path` and the path inside the value. */
export function parseField(schema: z.ZodType, value: unknown, path: string, issues: RequestIssue[]): unknown {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) issues.push({ path: joinPath(path, issue.path), message: issue.message });
  return undefined;
}

/** `a.b` + ["c", 0] → `a.b.c[0]` */
export function joinPath(path: string, inner: readonly PropertyKey[]): string {
  let out = path;
  for (const part of inner) out += typeof part === "number" ? `[${part}]` : `.${String(part)}`;
  return out;
}

/** Nanoseconds as a duration an experiment file reads back exactly. */
export function durationText(ns: number): string {
  return `${ns}ns`;
}
