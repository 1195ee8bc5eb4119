import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { CardTab } from "./card-tab";

describe("CardTab", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("shows each section's text as text, split into paragraphs, never as markup", async () => {
    const card = {
      name: "churn",
      version: "1",
      run_id: "r1",
      description: "Predicts churn.\n\n<img src=x onerror=alert(1)> **bold**",
      intended_use: "Ranking accounts\nfor retention.",
      training_data: "",
      evaluation_metrics: [{ key: "accuracy", value: 0.93, step: 3 }],
      limitations: "",
      ethical_considerations: "",
      owners: ["ada", "bob"],
    };
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ card }), { status: 200 }));
    const { container } = renderWithApp(<CardTab name="churn" version="1" />);
    const description = await screen.findByRole("region", { name: "Description" });
    expect([...description.querySelectorAll("p")].map((p) => p.textContent)).toEqual(["Predicts churn.", "<img src=x onerror=alert(1)> **bold**"]);
    expect(container.querySelector("img")).toBeNull();
    expect(screen.getByRole("region", { name: "Intended use" }).querySelector("p")?.textContent).toBe("Ranking accounts\nfor retention.");
    expect(screen.getByRole("region", { name: "Training data" }).textContent).toBe("Training dataNot written yet.");
    expect(screen.getByRole("region", { name: "Evaluation metrics" }).querySelector("tbody")?.textContent).toBe("accuracy0.933");
    expect(screen.getByRole("region", { name: "Owners" }).textContent).toBe("Ownersada, bob");
    expect(screen.getByText(/Nobody has written this card yet/)).toBeTruthy();
  });
});
