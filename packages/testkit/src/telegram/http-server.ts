import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What to answer an HTTP request with. */
export type HttpReply =
  | { status: number; json: unknown }
  | { status: number; body: Buffer; contentType: string };

/**
 * Handles one request. Resolves undefined when there is nobody left to answer (the client went
 * away, which `signal` reports).
 */
export type HttpHandler = (
  request: IncomingMessage,
  url: URL,
  signal: AbortSignal,
) => Promise<HttpReply | undefined>;

/** A listening server. */
export interface HttpServer {
  origin: string;
  /** Stops accepting connections and resolves once every open connection has ended. */
  close(): Promise<void>;
}

/** Starts a node:http server on host:port (0 = any free port). */
export async function startHttpServer(host: string, port: number, handler: HttpHandler): Promise<HttpServer> {
  let closing: Promise<void> | undefined;

  const server = createServer((request, response) => {
    const controller = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) controller.abort();
    });
    const url = new URL(request.url ?? '/', 'http://fake-telegram.invalid');
    handler(request, url, controller.signal).then(
      (reply) => {
        if (reply) write(response, reply, closing !== undefined);
      },
      (error: unknown) => {
        // Router failures are bugs in the fake; the client sees them instead of a hang.
        const description = `Internal Server Error: ${error instanceof Error ? error.message : String(error)}`;
        write(
          response,
          { status: 500, json: { ok: false, error_code: 500, description } },
          closing !== undefined,
        );
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    origin: `http://${hostPart}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        // Idle keep-alive sockets are closed at once; busy ones after their answer (see write).
        server.close((error) => (error ? reject(error) : resolve()));
      });
      return closing;
    },
  };
}

function write(response: ServerResponse, reply: HttpReply, closing: boolean): void {
  if (response.destroyed || response.writableEnded) return;
  const body = 'json' in reply ? Buffer.from(JSON.stringify(reply.json)) : reply.body;
  const headers: Record<string, string | number> = {
    'content-type': 'json' in reply ? 'application/json' : reply.contentType,
    'content-length': body.length,
  };
  // Keep-alive clients (grammY uses an agent) would otherwise hold the closing server open.
  if (closing) headers.connection = 'close';
  response.writeHead(reply.status, headers);
  response.end(body);
}
