/**
 * Serves a Registry at /metrics over HTTP, bound to loopback unless told otherwise: the coordinator's run exporter
 * and a host process's own metrics (host-metrics.ts) both. Port 0 picks a free port; `url` says which.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface MetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(
  registry: Registry,
  options: { host?: string; port: number },
): Promise<MetricsServer> {
  const host = options.host ?? "127.0.0.1";
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/metrics") {
      registry.metrics().then(
        (text) =>
          res.writeHead(200, { "content-type": registry.contentType }).end(req.method === "HEAD" ? undefined : text),
        (error: unknown) =>
          res
            .writeHead(500, { "content-type": "text/plain" })
            .end(`collecting metrics failed: ${error instanceof Error ? error.message : String(error)}\n`),
      );
    } else if (path === "/") {
      res
        .writeHead(200, { "content-type": "text/html; charset=utf-8" })
        .end('<!doctype html><title>dctwin</title><p><a href="/metrics">/metrics</a></p>\n');
    } else res.writeHead(404, { "content-type": "text/plain" }).end("not found: try /metrics\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/metrics`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
