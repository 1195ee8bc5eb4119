import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { PredictionsCard } from "./predictions-card";
import { CAIRN, stubApi } from "./stub-api";

describe("PredictionsCard", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("shows what each request predicted beside the label it was given", async () => {
    stubApi({
      [`GET ${CAIRN}/serving/predictions`]: () => ({
        body: {
          predictions: [
            { request_id: "req-1", deployment: "churn", version: "2", time: 1_700_000_070_000, latency_ms: 0.73, inputs: {}, outputs: { y: { dims: [1, 1], type: "float32", data: [0.875] } }, label: 1 },
            { request_id: "req-2", deployment: "churn", version: "2", time: 1_700_000_080_000, latency_ms: 0.5, inputs: {}, outputs: { label: { dims: [1], type: "int64", data: [0] }, proba: { dims: [1, 2], type: "float32", data: [0.75, 0.25] } } },
          ],
        },
      }),
    });
    renderWithApp(<PredictionsCard name="churn" sampleRate={1} />, "/deployments/churn");
    const card = screen.getByRole("region", { name: "Recent predictions" });
    await within(card).findByText("req-1");
    const rows = within(card).getAllByRole("row").map((row) => Array.from(row.children).map((cell) => cell.textContent));
    expect(rows[0]).toEqual(["Time", "Request id", "Version", "Latency", "Prediction", "Label"]);
    // Newest first; req-2 was sent without a label.
    expect(rows.slice(1).map((cells) => cells.slice(1))).toEqual([
      ["req-2", "v2", "0.5 ms", "label: 0; proba: [0.75, 0.25]", "—"],
      ["req-1", "v2", "0.73 ms", "0.875", "1"],
    ]);
  });
});
