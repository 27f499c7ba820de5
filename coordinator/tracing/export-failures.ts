/**
 * A SpanExporter decorator that makes failed exports visible: it counts the spans it could not deliver and warns
 * (the first failure, then every 100th), where the OTLP exporters would otherwise fail silently. At the end of the
 * run (`settle`), batches still unanswered count as lost, so the figure is final: run-info.json and the Prometheus
 * counter read the same number, however late the exporter would have answered.
 */
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";

export class CountingExporter implements SpanExporter {
  private readonly inner: SpanExporter;
  private readonly warn: (m: string) => void;
  failedExports = 0;
  failedSpans = 0;
  /** Batches handed to the inner exporter and not answered yet. */
  private readonly inFlight = new Set<ReadableSpan[]>();
  private settled = false;

  constructor(inner: SpanExporter, warn: (m: string) => void) {
    this.inner = inner;
    this.warn = warn;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.settled) return done({ code: ExportResultCode.FAILED }); // after the run's figures are final
    this.inFlight.add(spans);
    this.inner.export(spans, (result) => {
      if (!this.inFlight.delete(spans)) return done(result); // counted as lost when the run settled
      if (result.code !== ExportResultCode.SUCCESS) {
        this.lost(spans.length);
        if (this.failedExports === 1 || this.failedExports % 100 === 0)
          this.warn(
            `warning: trace export failed (${this.failedExports} time(s), ${this.failedSpans} span(s) lost so far): ${result.error?.message ?? "unknown error"}`,
          );
      }
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  /** The run is over: what is still on its way is lost, and nothing counts after this. */
  settle(): void {
    this.settled = true;
    for (const batch of this.inFlight) this.lost(batch.length);
    this.inFlight.clear();
  }

  private lost(spans: number): void {
    this.failedExports++;
    this.failedSpans += spans;
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
