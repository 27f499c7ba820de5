/**
 * A continuous-time Markov model as plain data (what `dctwin thermo solve model.yaml` reads), and its validation.
 * Rates are in 1/s. A transition's reverse is the transition to→from of the same mechanism; an omitted mechanism
 * is the unnamed one ("").
 */

export interface TransitionSpec {
  from: string;
  to: string;
  /** 1/s */
  rate: number;
  mechanism?: string;
}

export interface MarkovModelSpec {
  states: string[];
  transitions: TransitionSpec[];
}

/** Same shape as the scenario loader's issues: a dotted field path and a message. */
export interface ModelIssue {
  path: string;
  message: string;
}

export class MarkovModelError extends Error {
  override name = "MarkovModelError";
  readonly issues: readonly ModelIssue[];

  constructor(issues: readonly ModelIssue[], options?: ErrorOptions) {
    super(
      `invalid Markov model:\n${issues.map((i) => `  ${i.path === "" ? "" : `${i.path}: `}${i.message}`).join("\n")}`,
      options,
    );
    this.issues = issues;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every problem at once; an empty list means the spec can be solved (irreducible through positive rates). */
export function validateMarkovModel(spec: unknown): ModelIssue[] {
  const issues: ModelIssue[] = [];
  if (!isRecord(spec)) return [{ path: "", message: "expected an object with states and transitions" }];
  const states = new Set<string>();
  if (!Array.isArray(spec.states) || spec.states.length === 0) {
    issues.push({ path: "states", message: "expected a non-empty list of state names" });
  } else {
    spec.states.forEach((s: unknown, i) => {
      if (typeof s !== "string" || s === "")
        issues.push({ path: `states[${i}]`, message: "expected a non-empty string" });
      else if (states.has(s)) issues.push({ path: `states[${i}]`, message: `duplicate state "${s}"` });
      else states.add(s);
    });
  }
  if (!Array.isArray(spec.transitions)) {
    issues.push({ path: "transitions", message: "expected a list of {from, to, rate, mechanism?}" });
    return issues;
  }
  const seen = new Map<string, number>();
  const positive: [string, string][] = [];
  spec.transitions.forEach((t: unknown, i) => {
    const at = `transitions[${i}]`;
    if (!isRecord(t)) return void issues.push({ path: at, message: "expected {from, to, rate, mechanism?}" });
    const before = issues.length;
    for (const end of ["from", "to"] as const) {
      const s = t[end];
      if (typeof s !== "string") issues.push({ path: `${at}.${end}`, message: "expected a state name" });
      else if (states.size > 0 && !states.has(s))
        issues.push({ path: `${at}.${end}`, message: `unknown state "${s}"` });
    }
    if (typeof t.from === "string" && t.from === t.to)
      issues.push({ path: `${at}.to`, message: "a transition must change the state" });
    if (typeof t.rate !== "number" || !Number.isFinite(t.rate) || t.rate < 0) {
      issues.push({ path: `${at}.rate`, message: "expected a finite rate ≥ 0 (1/s)" });
    }
    if (t.mechanism !== undefined && typeof t.mechanism !== "string") {
      issues.push({ path: `${at}.mechanism`, message: "expected a string" });
    }
    if (issues.length > before) return;
    const key = JSON.stringify([t.from, t.to, t.mechanism ?? ""]);
    const first = seen.get(key);
    if (first !== undefined)
      issues.push({ path: at, message: `duplicates transitions[${first}] (same from, to and mechanism)` });
    else seen.set(key, i);
    if ((t.rate as number) > 0) positive.push([t.from as string, t.to as string]);
  });
  if (issues.length === 0) issues.push(...irreducibility([...states], positive));
  return issues;
}

/** A unique stationary state needs every state reachable from every other through positive rates. */
function irreducibility(states: string[], edges: [string, string][]): ModelIssue[] {
  const root = states[0];
  if (root === undefined) return [];
  const reach = (forward: boolean): Set<string> => {
    const adj = new Map<string, string[]>();
    for (const [a, b] of edges) {
      const [u, v] = forward ? [a, b] : [b, a];
      adj.set(u, [...(adj.get(u) ?? []), v]);
    }
    const seen = new Set([root]);
    const stack = [root];
    for (let s = stack.pop(); s !== undefined; s = stack.pop()) {
      for (const v of adj.get(s) ?? []) if (!seen.has(v)) seen.add(v), stack.push(v);
    }
    return seen;
  };
  const out = reach(true);
  const back = reach(false);
  const bad = states.filter((s) => !out.has(s) || !back.has(s));
  if (bad.length === 0) return [];
  return [
    {
      path: "transitions",
      message: `not irreducible: ${bad.map((s) => `"${s}"`).join(", ")} and "${root}" are not mutually reachable through positive rates`,
    },
  ];
}
