import { describe, expect, it } from "vitest";
import { decodePageToken, encodePageToken } from "./page-token.js";

describe("page tokens", () => {
  it("round-trips offsets as base64url JSON", () => {
    expect(encodePageToken(1000)).toBe("eyJvZmZzZXQiOjEwMDB9");
    for (const offset of [0, 1, 99, 50_000, 2 ** 40]) expect(decodePageToken(encodePageToken(offset))).toBe(offset);
    expect(decodePageToken(undefined)).toBe(0);
    expect(decodePageToken("")).toBe(0);
  });

  it("decodes MLflow's standard-base64 tokens too", () => {
    expect(decodePageToken(Buffer.from('{"offset": 20}').toString("base64"))).toBe(20);
  });

  it.each([
    "not a token",
    "%%%",
    Buffer.from("hello").toString("base64url"),
    Buffer.from('{"offset": -1}').toString("base64url"),
    Buffer.from('{"offset": 1.5}').toString("base64url"),
    Buffer.from('{"offset": "3"}').toString("base64url"),
    Buffer.from("null").toString("base64url"),
    Buffer.from("[]").toString("base64url"),
    "A".repeat(500),
  ])("refuses a malformed token: %s", (token) => {
    let caught: unknown;
    try {
      decodePageToken(token);
    } catch (error) {
      caught = error;
    }
    expect((caught as { code?: string }).code).toBe("INVALID_PARAMETER_VALUE");
    expect((caught as Error).message).toMatch(/^Invalid page token/);
  });
});
