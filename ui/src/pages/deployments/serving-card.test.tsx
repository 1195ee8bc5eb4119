import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderWithApp } from "../../test-support/render";
import { churn } from "./deployment-fixtures";
import { describeRetention, ServingCard } from "./serving-card";

describe("ServingCard prediction log", () => {
  it("describes a deployment's own prediction-log bounds, or the server's", () => {
    expect(describeRetention({})).toBe("kept as the server's bounds allow");
    expect(describeRetention({ prediction_log_max_age_seconds: 604_800, prediction_log_max_rows: 250_000 })).toBe(
      "kept 7 days, at most 250,000 rows (and within the server's bounds)",
    );
    expect(describeRetention({ prediction_log_max_age_seconds: 3600 })).toBe("kept 1 hour (and within the server's bounds)");
    expect(describeRetention({ prediction_log_max_age_seconds: 90 })).toBe("kept 90 seconds (and within the server's bounds)");
    expect(describeRetention({ prediction_log_max_age_seconds: 1800, prediction_log_max_rows: 1 })).toBe("kept 30 minutes, at most 1 row (and within the server's bounds)");
  });

  it("shows the sample rate and the bounds on the card", () => {
    renderWithApp(<ServingCard deployment={{ ...churn, prediction_log_sample_rate: 0.5, prediction_log_max_rows: 5_000 }} />, "/deployments/churn");
    expect(screen.getByText("Prediction log").nextElementSibling?.textContent).toBe("50% of requests, at most 5,000 rows (and within the server's bounds)");
  });
});
