/** A tiny OTLP/HTTP trace receiver for tests: decodes protobuf export requests into plain spans. */
import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

const root = protobuf.loadSync(fileURLToPath(new URL("./otlp-trace.proto", import.meta.url)));
const ExportRequest = root.lookupType("otlp.ExportTraceServiceRequest");

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  /** The resource the span came with (service.name, OTEL_RESOURCE_ATTRIBUTES, ...). */
  resource: Record<string, unknown>;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
}

interface RawKeyValue {
  key: string;
  value?: { stringValue?: string; boolValue?: boolean; intValue?: number | string; doubleValue?: number };
}

function attrs(list: RawKeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) {
    const v = kv.value ?? {};
    out[kv.key] = v.stringValue ?? v.boolValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.doubleValue);
  }
  return out;
}

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  requests = 0;
  private readonly server: Server;
  url = "";

  private constructor(server: Server) {
    this.server = server;
  }

  static async start(): Promise<OtlpReceiver> {
    const receiver = new OtlpReceiver(
      createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          receiver.requests++;
          const message = ExportRequest.toObject(ExportRequest.decode(Buffer.concat(chunks)), { bytes: String, longs: String, defaults: false }) as {
            resourceSpans?: { resource?: { attributes?: RawKeyValue[] }; scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: RawKeyValue[]; events?: { name: string; attributes?: RawKeyValue[] }[]; status?: { code?: number; message?: string } }[] }[] }[];
          };
          for (const rs of message.resourceSpans ?? [])
            for (const ss of rs.scopeSpans ?? [])
              for (const s of ss.spans ?? [])
                receiver.spans.push({
                  traceId: Buffer.from(s.traceId, "base64").toString("hex"),
                  spanId: Buffer.from(s.spanId, "base64").toString("hex"),
                  parentSpanId: s.parentSpanId ? Buffer.from(s.parentSpanId, "base64").toString("hex") : "",
                  name: s.name,
                  attributes: attrs(s.attributes),
                  events: (s.events ?? []).map((e) => ({ name: e.name, attributes: attrs(e.attributes) })),
                  resource: attrs(rs.resource?.attributes),
                  statusCode: s.status?.code ?? 0,
                  statusMessage: s.status?.message ?? "",
                });
          res.writeHead(200, { "content-type": "application/x-protobuf" });
          res.end();
        });
      }),
    );
    await new Promise<void>((resolve) => receiver.server.listen(0, "127.0.0.1", resolve));
    const { port } = receiver.server.address() as { port: number };
    receiver.url = `http://127.0.0.1:${port}/v1/traces`;
    return receiver;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
