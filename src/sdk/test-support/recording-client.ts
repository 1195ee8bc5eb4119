import { afterEach } from "vitest";
import { CairnClient } from "../client.js";
import { RecordingServer, type Answer, type RecordedRequest } from "./recording-server.js";

export interface RecordingClient {
  /** A client of a fresh recording server answering with `answer`; no retries, so each call is exactly one request. */
  clientFor(answer: (request: RecordedRequest) => Answer): Promise<CairnClient>;
  /** What the current test's server received (empty before clientFor). */
  requests(): RecordedRequest[];
  /** One line per request: "METHOD url body" (no body part when the body is empty). */
  sent(): string[];
  /** One line per request: "METHOD url". */
  urls(): string[];
}

export interface RecordingClientOptions {
  /** Show URLs percent-decoded (default true); false where a test asserts the exact encoding sent. */
  decodeUrls?: boolean;
}

/**
 * The SDK unit tests' fixture: a CairnClient talking to a RecordingServer on loopback, the server stopped after
 * each test. Call once at the top of a test file (it registers the afterEach).
 */
export const useRecordingClient = (options: RecordingClientOptions = {}): RecordingClient => {
  let server: RecordingServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });
  const url = (request: RecordedRequest): string => ((options.decodeUrls ?? true) ? decodeURIComponent(request.url) : request.url);
  const requests = (): RecordedRequest[] => server?.requests ?? [];
  return {
    clientFor: async (answer) => {
      server = new RecordingServer(answer);
      return new CairnClient({ trackingUri: await server.start(), retry: { retries: 0 } });
    },
    requests,
    sent: () => requests().map((r) => `${r.method} ${url(r)}${r.body === "" ? "" : ` ${r.body}`}`),
    urls: () => requests().map((r) => `${r.method} ${url(r)}`),
  };
};
