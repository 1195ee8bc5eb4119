import { vi } from "vitest";

/**
 * Component tests' network edge: fetch answers from handlers keyed "METHOD /path" (the query is the handler's to
 * read), and every call is recorded. An unknown endpoint answers 404 as the server would, so a page's error path
 * shows rather than a test hanging.
 */
export interface StubAnswer {
  status?: number;
  body: unknown;
}

export interface RecordedCall {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export type StubHandler = (url: URL, body: unknown) => StubAnswer;

export const stubApi = (handlers: Record<string, StubHandler>): RecordedCall[] => {
  const calls: RecordedCall[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: string | URL, init?: RequestInit) => {
      const url = new URL(String(input), "http://cairn.test");
      const method = init?.method ?? "GET";
      const body: unknown = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
      calls.push({ method, path: url.pathname, query: url.searchParams, body });
      const handler = handlers[`${method} ${url.pathname}`];
      const answer = handler ? handler(url, body) : { status: 404, body: { error_code: "ENDPOINT_NOT_FOUND", message: `No stub for ${method} ${url.pathname}` } };
      return new Response(JSON.stringify(answer.body), { status: answer.status ?? 200, headers: { "content-type": "application/json" } });
    }),
  );
  return calls;
};

export const CAIRN = "/ajax-api/2.0/cairn";
