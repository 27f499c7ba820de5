/**
 * Helpers that register prom-client families whose values are read from the RunState at scrape time (the
 * client_golang "const metrics from a collector" pattern): nothing is counted in the collectors themselves.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { Labels } from "../levels.ts";

type Read = () => number | undefined;
export type Samples = () => Iterable<{ labels: Labels; value: number }>;

export class FamilyRegistrar {
  readonly registry: Registry;
  /** Family names taken so far (model metrics never shadow one). */
  readonly reserved = new Set<string>();

  constructor(registry: Registry) {
    this.registry = registry;
  }

  private take(name: string): void {
    if (this.reserved.has(name)) throw new Error(`metric family ${name} registered twice`);
    this.reserved.add(name);
  }

  gauge(name: string, help: string, read: Read): void {
    this.take(name);
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read() ?? 0);
      },
    });
  }

  counter(name: string, help: string, read: Read): void {
    this.take(name);
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(read() ?? 0);
      },
    });
  }

  labelled(kind: "gauge" | "counter", name: string, help: string, labelNames: string[], read: Samples): void {
    this.take(name);
    const registers = [this.registry];
    if (kind === "gauge") {
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          for (const s of read()) this.set(s.labels, s.value);
        },
      });
    } else {
      new Counter({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          for (const s of read()) this.inc(s.labels, s.value);
        },
      });
    }
  }

  /** A scalar family (no labels but `run`) or a labelled one, as the scope asks. */
  scoped(kind: "gauge" | "counter", name: string, help: string, labelNames: string[], read: Samples): void {
    if (labelNames.length > 0) return this.labelled(kind, name, help, labelNames, read);
    const one = () => {
      let v: number | undefined;
      for (const s of read()) v = (v ?? 0) + s.value;
      return v;
    };
    if (kind === "gauge") this.gauge(name, help, one);
    else this.counter(name, help, one);
  }
}
