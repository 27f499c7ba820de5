/**
 * The resolved scenario as it travels to hosts (RunStart.scenario_json), with every distinct `params` and
 * `labels` value stored once: a generated fabric's hundred thousand servers share one template, so the message
 * stays small and each host holds one frozen copy of it instead of one per actor. Frozen because models must not
 * change their parameters (a change would leak into every actor sharing them; frozen, it throws instead).
 */
import type { ActorSpec, ResolvedScenario } from "./topology.ts";

interface PackedActor extends Omit<ActorSpec, "params" | "labels"> {
  /** Indices into the shared tables. */
  params: number;
  labels: number;
}

interface PackedScenario extends Omit<ResolvedScenario, "actors"> {
  actors: PackedActor[];
  params: unknown[];
  labels: Record<string, string>[];
}

/** Interns values by identity, then by their JSON text. */
class Table<T> {
  readonly values: T[] = [];
  private readonly byIdentity = new Map<T, number>();
  private readonly byText = new Map<string, number>();

  index(value: T): number {
    let i = this.byIdentity.get(value);
    if (i !== undefined) return i;
    const text = JSON.stringify(value);
    i = this.byText.get(text);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(value);
      this.byText.set(text, i);
    }
    this.byIdentity.set(value, i);
    return i;
  }
}

export function scenarioToJson(scenario: ResolvedScenario): string {
  const params = new Table<unknown>();
  const labels = new Table<Record<string, string>>();
  const actors = scenario.actors.map(
    (a): PackedActor => ({ ...a, params: params.index(a.params), labels: labels.index(a.labels) }),
  );
  const packed: PackedScenario = { ...scenario, actors, params: params.values, labels: labels.values };
  return JSON.stringify(packed);
}

export function scenarioFromJson(text: string): ResolvedScenario {
  const packed = JSON.parse(text) as PackedScenario;
  const params = packed.params.map(deepFreeze);
  const labels = packed.labels.map(deepFreeze);
  const actors = packed.actors.map((a): ActorSpec => ({ ...a, params: params[a.params], labels: labels[a.labels]! }));
  return { run: packed.run, actors, links: packed.links };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
