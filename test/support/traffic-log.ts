/**
 * Every request a replica test sends, with when it started and ended and how it ended, so that failures can be
 * attributed afterwards: a request may fail only when it was in flight on the replica that was killed (it started
 * before the kill finished and ended after the kill began). `call` never throws: a network error is an outcome.
 */
export interface Exchange {
  what: string;
  start: number;
  end: number;
  /** 0: no HTTP answer (connection reset, refused). */
  status: number;
  error?: string;
}

export interface Answer<T> {
  ok: boolean;
  status: number;
  body: T;
  headers: Headers | undefined;
}

export interface KillWindow {
  /** Just before the SIGKILL was sent. */
  from: number;
  /** Once the process had exited. */
  to: number;
}

export class TrafficLog {
  readonly exchanges: Exchange[] = [];

  async call<T = any>(what: string, url: string, init: RequestInit = {}): Promise<Answer<T>> {
    const start = Date.now();
    try {
      const response = await fetch(url, init);
      const text = await response.text();
      this.exchanges.push({ what, start, end: Date.now(), status: response.status, ...(response.ok ? {} : { error: text.slice(0, 300) }) });
      let body: unknown = text;
      try {
        body = text === "" ? {} : JSON.parse(text);
      } catch {
        // Not JSON (an nginx error page): kept as text.
      }
      return { ok: response.ok, status: response.status, body: body as T, headers: response.headers };
    } catch (error) {
      this.exchanges.push({ what, start, end: Date.now(), status: 0, error: error instanceof Error ? `${error.message} ${String(error.cause ?? "")}` : String(error) });
      return { ok: false, status: 0, body: undefined as T, headers: undefined };
    }
  }

  failures(): Exchange[] {
    return this.exchanges.filter((exchange) => exchange.status < 200 || exchange.status >= 300);
  }
}

/** In flight when the replica died: sent before it had exited, not answered before the kill began. */
export const inFlightDuring = (exchange: Exchange, kill: KillWindow | undefined): boolean =>
  kill !== undefined && exchange.start <= kill.to && exchange.end >= kill.from;

/** JSON POST/PATCH with an optional request id (which the server keeps as the event's and audit entry's request id). */
export const jsonInit = (method: string, body: unknown, requestId?: string): RequestInit => ({
  method,
  headers: { "content-type": "application/json", ...(requestId !== undefined ? { "x-request-id": requestId } : {}) },
  body: JSON.stringify(body),
});
