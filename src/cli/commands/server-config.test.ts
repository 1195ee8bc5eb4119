import { describe, expect, it } from "vitest";
import { serverConfig } from "./server.js";

describe("cairn server flags", () => {
  it("reads --max-trace-json-bytes as a positive byte count, naming the flag otherwise", () => {
    expect(serverConfig({ maxTraceJsonBytes: "1048576" }).maxTraceJsonBytes).toBe(1_048_576);
    expect(serverConfig({}).maxTraceJsonBytes).toBeUndefined();
    for (const bad of ["0", "-1", "1.5", "16MB", ""]) {
      expect(() => serverConfig({ maxTraceJsonBytes: bad }), bad).toThrow(`--max-trace-json-bytes must be a positive integer number of bytes, got '${bad}'`);
    }
  });
});

describe("cairn server limit flags", () => {
  it("reads the timeouts in seconds (0: no limit) and the connection cap, keeping defaults for flags not given", () => {
    expect(serverConfig({}).limits).toEqual({});
    expect(
      serverConfig({ headersTimeout: "10", bodyIdleTimeout: "0", requestTimeout: "7200", keepAliveTimeout: "5", maxConnectionsPerAddress: "32" }).limits,
    ).toEqual({ headersTimeoutMs: 10_000, bodyIdleTimeoutMs: 0, requestTimeoutMs: 7_200_000, keepAliveTimeoutMs: 5000, maxConnectionsPerAddress: 32 });
  });

  it("names the flag of a bad value", () => {
    for (const bad of ["-1", "1.5", "10s", "", "604801"]) {
      expect(() => serverConfig({ bodyIdleTimeout: bad }), bad).toThrow(
        `--body-idle-timeout must be a whole number of seconds from 0 (no limit) to 604800, got '${bad}'`,
      );
    }
    expect(() => serverConfig({ maxConnectionsPerAddress: "many" })).toThrow("--max-connections-per-address must be a whole number (0: no limit), got 'many'");
  });
});
