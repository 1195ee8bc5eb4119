import { describe, expect, it } from "vitest";
import { ancestorsOf, toggleOpenFolder, withFolderOfFileOpen } from "./open-folders";

describe("open folders", () => {
  it("names the folders holding a path", () => {
    expect(ancestorsOf("a/b/c.txt")).toEqual(["a", "a/b"]);
    expect(ancestorsOf("top.txt")).toEqual([]);
  });

  it("opens a folder into a sorted list and closes it with the folders inside it only", () => {
    expect(toggleOpenFolder(["z"], "a")).toEqual(["a", "z"]);
    expect(toggleOpenFolder(["a", "a/b", "a/b/c", "ab", "z"], "a")).toEqual(["ab", "z"]);
  });

  it("adds the folders of a chosen file", () => {
    expect(withFolderOfFileOpen(["z"], "a/b/c.txt")).toEqual(["a", "a/b", "z"]);
    expect(withFolderOfFileOpen(["a"], "a/x.txt")).toEqual(["a"]);
  });
});
