/** A tiny OTLP/HTTP trace receiver for tests: decodes protobuf export requests into plain spans. */
import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
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
  private readonly server: Server | null;
  private readonly grpcServer: grpc.Server | null;
  url = "";

  private constructor(server: Server | null, grpcServer: grpc.Server | null = null) {
    this.server = server;
    this.grpcServer = grpcServer;
  }

  static async start(): Promise<OtlpReceiver> {
    const receiver = new OtlpReceiver(
      createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          receiver.receive(Buffer.concat(chunks));
          res.writeHead(200, { "content-type": "application/x-protobuf" });
          res.end();
        });
      }),
    );
    await new Promise<void>((resolve) => receiver.server!.listen(0, "127.0.0.1", resolve));
    const { port } = receiver.server!.address() as { port: number };
    receiver.url = `http://127.0.0.1:${port}/v1/traces`;
    return receiver;
  }

  /** Decodes one OTLP ExportTraceServiceRequest (protobuf) into `spans`. */
  receive(bytes: Buffer): void {
    this.requests++;
    const message = ExportRequest.toObject(ExportRequest.decode(bytes), {
      bytes: String,
      longs: String,
      defaults: false,
    }) as {
      resourceSpans?: {
        resource?: { attributes?: RawKeyValue[] };
        scopeSpans?: {
          spans?: {
            traceId: string;
            spanId: string;
            parentSpanId?: string;
            name: string;
            attributes?: RawKeyValue[];
            events?: { name: string; attributes?: RawKeyValue[] }[];
            status?: { code?: number; message?: string };
          }[];
        }[];
      }[];
    };
    for (const rs of message.resourceSpans ?? [])
      for (const ss of rs.scopeSpans ?? [])
        for (const s of ss.spans ?? [])
          this.spans.push({
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
  }

  /**
   * The same receiver over OTLP/gRPC (opentelemetry.proto.collector.trace.v1.TraceService/Export); `url` is then
   * http://127.0.0.1:PORT, as OTEL_EXPORTER_OTLP_TRACES_ENDPOINT takes it with OTEL_EXPORTER_OTLP_PROTOCOL=grpc.
   */
  static async startGrpc(): Promise<OtlpReceiver> {
    const grpcServer = new grpc.Server();
    const receiver = new OtlpReceiver(null, grpcServer);
    const identity = (b: Buffer) => b;
    grpcServer.addService(
      {
        Export: {
          path: "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
          requestStream: false,
          responseStream: false,
          requestSerialize: identity,
          requestDeserialize: identity,
          responseSerialize: identity,
          responseDeserialize: identity,
        },
      },
      {
        Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => (
          receiver.receive(call.request), done(null, Buffer.alloc(0))
        ),
      },
    );
    const port = await new Promise<number>((resolve, reject) =>
      grpcServer.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    receiver.url = `http://127.0.0.1:${port}`;
    return receiver;
  }

  close(): Promise<void> {
    if (this.grpcServer !== null) {
      this.grpcServer.forceShutdown();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.server!.close(() => resolve()));
  }
}
