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

describe("cairn server webhook target flags", () => {
  it("reads --webhook-allowed-targets as a comma-separated list, refusing a malformed entry by name", () => {
    expect(serverConfig({ webhookAllowedTargets: " 10.0.0.0/8, hooks.internal ,,::1" }).webhookAllowedTargets).toEqual(["10.0.0.0/8", "hooks.internal", "::1"]);
    expect(serverConfig({}).webhookAllowedTargets).toBeUndefined();
    expect(() => serverConfig({ webhookAllowedTargets: "10.0.0.0/8,10.0.0/8" })).toThrow("--webhook-allowed-targets entry '10.0.0/8' is not a valid CIDR range.");
    expect(() => serverConfig({ webhookAllowedTargets: "hooks_internal" })).toThrow("--webhook-allowed-targets entry 'hooks_internal' is not a host name, an address or a CIDR range.");
  });

  it("reads --webhook-allow-http as a switch (default off)", () => {
    expect(serverConfig({ webhookAllowHttp: true }).webhookAllowHttp).toBe(true);
    expect(serverConfig({}).webhookAllowHttp).toBeUndefined();
  });
});
