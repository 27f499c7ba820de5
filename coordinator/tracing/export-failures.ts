/**
 * A SpanExporter decorator that makes failed exports visible: it counts the spans it could not deliver and warns
 * (the first failure, then every 100th), where the OTLP exporters would otherwise fail silently.
 */
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";

export class CountingExporter implements SpanExporter {
  private readonly inner: SpanExporter;
  private readonly warn: (m: string) => void;
  failedExports = 0;
  failedSpans = 0;

  constructor(inner: SpanExporter, warn: (m: string) => void) {
    this.inner = inner;
    this.warn = warn;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code !== ExportResultCode.SUCCESS) {
        this.failedExports++;
        this.failedSpans += spans.length;
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

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
