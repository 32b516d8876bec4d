// The small HTTP server behind `ssp viz TRACE`: the page on /, the trace on /trace.jsonl. Bound to
// 127.0.0.1 only: a trace describes someone's job and is nobody else's business.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { buildPage } from "./page.ts";

export interface VizServerOptions {
  script: string;
  traceText: string;
  traceName: string;
  /** 0 picks a free port. */
  port: number;
  host?: string;
}

export interface VizServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function serveViz(options: VizServerOptions): Promise<VizServer> {
  const page = buildPage({
    script: options.script,
    traceUrl: "trace.jsonl",
    traceName: options.traceName,
    title: `${options.traceName} · ssptable timeline`,
  });
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/" || path === "/index.html") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      response.end(page);
    } else if (path === "/trace.jsonl") {
      response.writeHead(200, {
        "content-type": "application/x-ndjson; charset=utf-8",
        "cache-control": "no-store",
      });
      response.end(options.traceText);
    } else {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found: try /\n");
    }
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        e.code === "EADDRINUSE"
          ? new Error(
              `port ${options.port} on ${host} is in use; pick another with --port N (0 = any free port)`,
            )
          : e,
      ),
    );
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
