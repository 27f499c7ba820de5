import type { z } from "zod";

/**
 * Scenario problems, each with the dotted field path it concerns (`actors[3].service.mean`), reported all at once.
 */

export interface ValidationIssue {
  path: string;
  message: string;
}

/** The scenario cannot be used; carries every issue found. */
export class ScenarioError extends Error {
  override name = "ScenarioError";
  readonly file: string;
  readonly issues: readonly ValidationIssue[];

  constructor(file: string, issues: readonly ValidationIssue[], options?: ErrorOptions) {
    super(
      `${file}: ${issues.length} problem${issues.length === 1 ? "" : "s"}\n${issues.map((i) => `  ${formatIssue(i)}`).join("\n")}`,
      options,
    );
    this.file = file;
    this.issues = issues;
  }
}

export function formatIssue(issue: ValidationIssue): string {
  return issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`;
}

/** ["actors", 3, "service", "mean"] → "actors[3].service.mean" */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Zod's issues as ours, under a path prefix. */
export function zodIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]): ValidationIssue[] {
  return issues.map((issue) => ({ path: formatPath([...prefix, ...issue.path]), message: describeZodIssue(issue) }));
}

export function describeZodIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    case "invalid_type":
      return issue.message.startsWith("Invalid input")
        ? issue.input === undefined
          ? `required; expected ${issue.expected}`
          : `expected ${issue.expected}`
        : issue.message;
    default:
      return issue.message;
  }
}
