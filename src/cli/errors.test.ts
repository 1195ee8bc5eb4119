import { describe, expect, it } from "vitest";
import { describeFailure, ExitCode, NothingChanged } from "./errors.js";

describe("describeFailure", () => {
  it("prints a message for anything thrown: never [object Object], an empty line or a stack", () => {
    const lines = [
      new Error("boom\n    at stack (x.ts:1:1)"),
      Object.assign(new Error(""), { code: "EPIPE" }),
      { message: "from an object" },
      { code: 7, detail: "no message field" },
      "",
      undefined,
    ].map((error) => describeFailure(error).line);
    expect(lines).toEqual([
      "cairn: error: boom",
      "cairn: error: EPIPE",
      "cairn: error: from an object",
      'cairn: error: {"code":7,"detail":"no message field"}',
      "cairn: error: unknown error",
      "cairn: error: unknown error",
    ]);
  });

  it("ends a command that changed nothing with exit 1 and its message", () => {
    expect(describeFailure(new NothingChanged("run r is already deleted; nothing changed"))).toEqual({
      line: "cairn: error: run r is already deleted; nothing changed",
      exitCode: ExitCode.FAILURE,
    });
  });
});
