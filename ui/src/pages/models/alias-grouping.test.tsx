import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { ModelAliasBadges } from "./alias-badges";
import { groupAliasesByVersion, orderedAliases } from "./alias-grouping";

const ALIASES = [
  { alias: "challenger", version: "9" },
  { alias: "staging", version: "10" },
  { alias: "champion", version: "10" },
  { alias: "baseline", version: "2" },
];

describe("alias grouping", () => {
  it("groups aliases by version, newest version first (numerically: 10 before 9), names sorted within a version", () => {
    expect(groupAliasesByVersion(ALIASES)).toEqual([
      { version: "10", aliases: ["champion", "staging"] },
      { version: "9", aliases: ["challenger"] },
      { version: "2", aliases: ["baseline"] },
    ]);
    expect(groupAliasesByVersion([])).toEqual([]);
  });

  it("flattens back to (alias, version) pairs in display order", () => {
    expect(orderedAliases(ALIASES)).toEqual([
      { alias: "champion", version: "10" },
      { alias: "staging", version: "10" },
      { alias: "challenger", version: "9" },
      { alias: "baseline", version: "2" },
    ]);
  });

  it("renders one badge per alias linking to its version's page, in that order", () => {
    renderWithApp(<ModelAliasBadges name="churn model" aliases={ALIASES} />);
    const links = screen.getAllByRole("link");
    expect(links.map((link) => [link.textContent, link.getAttribute("href")])).toEqual([
      ["champion → v10", "/models/churn%20model/versions/10"],
      ["staging → v10", "/models/churn%20model/versions/10"],
      ["challenger → v9", "/models/churn%20model/versions/9"],
      ["baseline → v2", "/models/churn%20model/versions/2"],
    ]);
  });

  it("shows a dash when the model has no alias", () => {
    const { container } = renderWithApp(<ModelAliasBadges name="churn" aliases={[]} />);
    expect(container.textContent).toBe("—");
  });
});
