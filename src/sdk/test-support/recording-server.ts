import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the recording server received it. */
export interface RecordedRequest {
  method: string;
  url: string;
  body: string;
}

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A real HTTP server on loopback that records every request and answers with a scripted function: it stands in for
 * a tracking server where a test must control failures (503s, 400s) that a real server would not produce on demand.
 */
export class RecordingServer {
  readonly requests: RecordedRequest[] = [];
  private server: Server | undefined;
  url = "";

  constructor(private answer: (request: RecordedRequest, index: number) => Answer | Promise<Answer>) {}

  setAnswer(answer: (request: RecordedRequest, index: number) => Answer | Promise<Answer>): void {
    this.answer = answer;
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const recorded = { method: request.method ?? "", url: request.url ?? "", body: Buffer.concat(chunks).toString("utf8") };
        this.requests.push(recorded);
        void Promise.resolve(this.answer(recorded, this.requests.length - 1)).then((answer) => {
          response.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
          response.end(answer.body === undefined ? "{}" : JSON.stringify(answer.body));
        });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  /** Parsed JSON bodies of the requests to one endpoint path. */
  bodies(pathSuffix: string): Record<string, unknown>[] {
    return this.requests
      .filter((request) => request.url.split("?")[0]?.endsWith(pathSuffix))
      .map((request) => JSON.parse(request.body) as Record<string, unknown>);
  }
}

export const runJson = (runId: string): unknown => ({
  run: {
    info: {
      run_id: runId,
      run_uuid: runId,
      run_name: "r",
      experiment_id: "0",
      user_id: "u",
      status: "RUNNING",
      start_time: 1,
      artifact_uri: `mlflow-artifacts:/0/${runId}/artifacts`,
      lifecycle_stage: "active",
    },
    data: {},
  },
});

/** A loopback port that was free a moment ago (nothing listens on it now). */
export const unusedPort = async (): Promise<number> => {
  const { createServer: createNetServer } = await import("node:net");
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
};
