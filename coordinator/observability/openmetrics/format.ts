/**
 * OpenMetrics text with sample timestamps, from snapshots of a prom-client Registry (one per simulated instant).
 * Output order follows the OpenMetrics spec: family by family (HELP, TYPE), then metric by metric (one label
 * set; a histogram's `le` buckets belong to their metric), each metric's points in time order; `# EOF` last.
 * Counter families drop `_total` from their name and keep it on the samples, as the spec requires.
 */
import type { Registry } from "prom-client";

interface Sample {
  name: string;
  labels: Record<string, string | number>;
  value: number;
}

interface Family {
  name: string;
  type: string;
  help: string;
  /** metric key -> timestamp (s) -> samples */
  metrics: Map<string, Map<number, Sample[]>>;
}

export class OpenMetricsWriter {
  private readonly families = new Map<string, Family>();

  /** Records the registry's current values at `timestampS` (seconds since the Unix epoch). */
  async snapshot(registry: Registry, timestampS: number): Promise<void> {
    for (const metric of await registry.getMetricsAsJSON()) {
      const type = String(metric.type);
      const name = type === "counter" ? metric.name.replace(/_total$/, "") : metric.name;
      let family = this.families.get(name);
      if (family === undefined)
        this.families.set(name, (family = { name, type, help: metric.help, metrics: new Map() }));
      for (const v of metric.values) {
        const labels = v.labels as Record<string, string | number>;
        const sampleName = (v as { metricName?: string }).metricName ?? (type === "counter" ? `${name}_total` : name);
        const { le: _le, ...metricLabels } = labels;
        const key = formatLabels(metricLabels);
        let points = family.metrics.get(key);
        if (points === undefined) family.metrics.set(key, (points = new Map()));
        let samples = points.get(timestampS);
        if (samples === undefined) points.set(timestampS, (samples = []));
        samples.push({ name: sampleName, labels, value: v.value });
      }
    }
  }

  toString(): string {
    const lines: string[] = [];
    for (const family of this.families.values()) {
      lines.push(`# TYPE ${family.name} ${family.type}`, `# HELP ${family.name} ${escapeHelp(family.help)}`);
      for (const points of family.metrics.values()) {
        for (const [t, samples] of [...points].sort(([a], [b]) => a - b)) {
          for (const s of family.type === "histogram" ? histogramOrder(family.name, samples) : samples) {
            const labels = formatLabels(s.labels);
            lines.push(`${s.name}${labels === "" ? "" : `{${labels}}`} ${formatNumber(s.value)} ${formatTimestamp(t)}`);
          }
        }
      }
    }
    lines.push("# EOF");
    return `${lines.join("\n")}\n`;
  }
}

/** Buckets (in the order given: ascending `le`, +Inf last), then _count, then _sum. */
function histogramOrder(name: string, samples: Sample[]): Sample[] {
  const rank = (s: Sample) => (s.name === `${name}_bucket` ? 0 : s.name === `${name}_count` ? 1 : 2);
  return samples
    .map((s, i) => ({ s, i }))
    .sort((a, b) => rank(a.s) - rank(b.s) || a.i - b.i)
    .map(({ s }) => s);
}

function formatLabels(labels: Record<string, string | number>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${String(v).replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`)
    .join(",");
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function formatNumber(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

function formatTimestamp(t: number): string {
  return Number.isInteger(t) ? String(t) : t.toFixed(3).replace(/0+$/, "").replace(/\.$/, "");
}
