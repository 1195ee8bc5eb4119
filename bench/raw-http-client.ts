import net from "node:net";

/**
 * A minimal HTTP/1.1 keep-alive client for latency measurements: one socket, requests written as prebuilt bytes,
 * responses read by Content-Length. node:http's client spends tens of microseconds a request on its own parsing and
 * bookkeeping, which would be counted as the server's latency; this one, like wrk, spends next to nothing. It
 * understands only what the measured servers send (a status line, headers with Content-Length, a body).
 */
export class RawHttpClient {
  private buffer: Buffer = Buffer.alloc(0);
  private waiter: ((response: { status: number; body: string }) => void) | undefined;
  private failure: ((error: Error) => void) | undefined;

  private constructor(private readonly socket: net.Socket, private readonly host: string) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.tryComplete();
    });
    socket.on("error", (error) => this.failure?.(error));
  }

  static connect(url: string): Promise<RawHttpClient> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: hostname, port: Number(port) }, () => resolve(new RawHttpClient(socket, `${hostname}:${port}`)));
      socket.once("error", reject);
    });
  }

  /** The bytes of one request, built once and sent many times. */
  request(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: string): Buffer {
    const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
    const head =
      `${method} ${path} HTTP/1.1\r\nHost: ${this.host}\r\nConnection: keep-alive\r\n` +
      (body === undefined ? "" : `Content-Type: application/json\r\nContent-Length: ${payload.length}\r\n`) +
      "\r\n";
    return Buffer.concat([Buffer.from(head), payload]);
  }

  send(request: Buffer): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.failure = reject;
      this.socket.write(request);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private tryComplete(): void {
    const end = this.buffer.indexOf("\r\n\r\n");
    if (end < 0) return;
    const head = this.buffer.subarray(0, end).toString("latin1");
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? "0");
    if (this.buffer.length < end + 4 + length) return;
    const status = Number(head.slice(9, 12));
    const body = this.buffer.subarray(end + 4, end + 4 + length).toString("utf8");
    this.buffer = this.buffer.subarray(end + 4 + length);
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.({ status, body });
  }
}
