/**
 * A prom-client Histogram whose buckets are read at scrape time from already-aggregated counts (prom-client has
 * no API to set a histogram's state; `observe` counts one value at a time). It registers like any metric and
 * prints the standard `_bucket{le}`, `_sum` and `_count` samples.
 */
import { Histogram, type MetricType, type Registry } from "prom-client";
import type { Labels } from "../levels.ts";

export interface HistogramPoint {
  labels: Labels;
  /** Cumulative counts, one per bound in `buckets` (observations <= bound). */
  cumulative: number[];
  count: number;
  sum: number;
}

export interface BucketHistogramConfig {
  name: string;
  help: string;
  labelNames: string[];
  buckets: number[];
  registry: Registry;
  read: () => HistogramPoint[];
}

/** prom-client declares `type` as an enum, but its registry reads (and prints) the string. */
const HISTOGRAM = "histogram" as unknown as MetricType;

interface Sample {
  value: number;
  labels: Labels;
  metricName: string;
}

export class BucketHistogram extends Histogram<string> {
  private readonly familyName: string;
  private readonly familyHelp: string;
  private readonly bounds: number[];
  private readonly read: () => HistogramPoint[];

  constructor(config: BucketHistogramConfig) {
    super({
      name: config.name,
      help: config.help,
      labelNames: config.labelNames,
      buckets: config.buckets,
      registers: [config.registry],
    });
    this.familyName = config.name;
    this.familyHelp = config.help;
    this.bounds = config.buckets;
    this.read = config.read;
  }

  override async get() {
    const values: Sample[] = [];
    for (const point of this.read()) {
      point.cumulative.forEach((n, i) =>
        values.push({
          value: n,
          labels: { ...point.labels, le: String(this.bounds[i]) },
          metricName: `${this.familyName}_bucket`,
        }),
      );
      values.push({
        value: point.count,
        labels: { ...point.labels, le: "+Inf" },
        metricName: `${this.familyName}_bucket`,
      });
      values.push({ value: point.sum, labels: point.labels, metricName: `${this.familyName}_sum` });
      values.push({ value: point.count, labels: point.labels, metricName: `${this.familyName}_count` });
    }
    return {
      name: this.familyName,
      help: this.familyHelp,
      type: HISTOGRAM,
      values,
      aggregator: "sum" as const,
      collect: () => {},
    };
  }

  /** What the registry calls for the text format. */
  getForPromString() {
    return this.get();
  }
}
