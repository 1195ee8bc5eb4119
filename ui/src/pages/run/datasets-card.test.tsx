import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { DatasetsCard } from "./datasets-card";

const HASH = `${"2".repeat(64)}.dir`;

describe("DatasetsCard", () => {
  it("links a data version (source_type cairn-data) to its page, and leaves other datasets and forged sources plain", () => {
    renderWithApp(
      <DatasetsCard
        inputs={[
          { tags: [{ key: "mlflow.data.context", value: "cairn.input" }], dataset: { name: "data/prepared", digest: HASH.slice(0, 32), source_type: "cairn-data", source: JSON.stringify({ uri: `cairn-data://sha256/${HASH}` }) } },
          { tags: [], dataset: { name: "customers", digest: "d1", source_type: "local", source: "/data/customers.csv" } },
          { tags: [], dataset: { name: "forged", digest: "d2", source_type: "cairn-data", source: JSON.stringify({ uri: "cairn-data://sha256/../../x" }) } },
        ]}
      />,
    );
    expect(screen.getByRole("link", { name: "data/prepared" }).getAttribute("href")).toBe(`/data-versions/${HASH}`);
    expect(screen.queryByRole("link", { name: "customers" })).toBeNull();
    expect(screen.queryByRole("link", { name: "forged" })).toBeNull();
    expect(screen.getByRole("rowheader", { name: "forged" })).toBeTruthy();
  });
});
