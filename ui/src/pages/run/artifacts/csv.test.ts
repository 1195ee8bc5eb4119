import { describe, expect, it } from "vitest";
import { parseDelimited } from "./csv";

describe("parseDelimited", () => {
  it("splits rows and fields", () => {
    expect(parseDelimited("a,b,c\n1,2,3\n", ",", 500)).toEqual({ rows: [["a", "b", "c"], ["1", "2", "3"]], truncated: false });
  });

  it("reads quoted fields with delimiters, doubled quotes and line breaks", () => {
    const text = 'name,note\r\n"Smith, J","said ""hi""\nthen left"\r\n,empty first';
    expect(parseDelimited(text, ",", 500).rows).toEqual([
      ["name", "note"],
      ["Smith, J", 'said "hi"\nthen left'],
      ["", "empty first"],
    ]);
  });

  it("reads tab-separated values", () => {
    expect(parseDelimited("x\ty\n1\t\n", "\t", 500).rows).toEqual([["x", "y"], ["1", ""]]);
  });

  it("stops after maxRows and says that more followed", () => {
    expect(parseDelimited("h\n1\n2\n3\n", ",", 2)).toEqual({ rows: [["h"], ["1"]], truncated: true });
    expect(parseDelimited("h\n1\n", ",", 2)).toEqual({ rows: [["h"], ["1"]], truncated: false });
  });
});
