import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the receiver saw it: raw body bytes as text, so that signatures are checked over what was sent. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status the receiver answered (0: it never answered). */
  status: number;
}

export interface ReceiverBehaviour {
  /** Answer 500 to this many requests before answering 200. */
  failFirst?: number;
  /** Status of the failures (default 500). */
  failStatus?: number;
  /** Never answer (until the receiver closes). */
  hang?: boolean;
  /** Sent as the Location header of every failure (to test that redirects are not followed). */
  location?: string;
  /** Milliseconds to wait before answering. */
  delayMs?: number;
}

/**
 * A real HTTP receiver on loopback for the webhook tests: records every request and answers by its behaviour.
 * `listen(port)` may reuse the port of an earlier receiver, which is how a test brings a receiver "back up".
 */
export class TestReceiver {
  readonly requests: ReceivedRequest[] = [];
  private server: Server | undefined;
  private failuresLeft: number;
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  constructor(private readonly behaviour: ReceiverBehaviour = {}) {
    this.failuresLeft = behaviour.failFirst ?? 0;
  }

  async listen(port = 0): Promise<string> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        if (this.behaviour.hang) {
          // Recorded with status 0: the request arrived and was never answered.
          this.requests.push({ method: request.method ?? "", path: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks).toString("utf8"), status: 0 });
          this.notify();
          return;
        }
        const failing = this.failuresLeft > 0;
        if (failing) this.failuresLeft -= 1;
        const status = failing ? (this.behaviour.failStatus ?? 500) : 200;
        this.requests.push({
          method: request.method ?? "",
          path: request.url ?? "",
          headers: request.headers,
          body: Buffer.concat(chunks).toString("utf8"),
          status,
        });
        this.notify();
        const answer = () => {
          const location = failing && this.behaviour.location ? { location: this.behaviour.location } : {};
          response.writeHead(status, { "content-type": "text/plain", ...location }).end(failing ? "boom" : "ok");
        };
        if (this.behaviour.delayMs) setTimeout(answer, this.behaviour.delayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    this.server = server;
    return this.url;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Resolves once `count` requests have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs = 10_000): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`receiver got ${this.requests.length} requests, expected ${count} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  private notify(): void {
    const ready = this.waiters.filter((waiter) => this.requests.length >= waiter.count);
    this.waiters = this.waiters.filter((waiter) => this.requests.length < waiter.count);
    for (const waiter of ready) waiter.resolve();
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A delivery's envelope as Cairn sends it: the event type and its payload. */
export interface DeliveredEvent {
  type: string;
  payload: Record<string, unknown>;
}

/** What the receiver got so far, as Cairn's envelopes, in arrival order. */
export const deliveredEvents = (receiver: TestReceiver): DeliveredEvent[] =>
  receiver.requests.map((request) => JSON.parse(request.body) as DeliveredEvent);
