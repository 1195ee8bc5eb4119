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
