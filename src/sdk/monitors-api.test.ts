import { describe, expect, it } from "vitest";
import { useRecordingClient } from "./test-support/recording-client.js";

const { clientFor, sent } = useRecordingClient();

describe("MonitorsApi requests", () => {
  it("create sends the snake_case definition (absent options stay absent) and delete the name", async () => {
    const monitor = { name: "m", deployment: "d", window: { last_seconds: 600 }, schedule_seconds: 60, min_rows: 100, checks: {}, created_time: 1, last_updated_time: 1 };
    const client = await clientFor(() => ({ status: 200, body: { monitor } }));
    expect(
      await client.monitors.create({
        name: "m",
        deployment: "d",
        window: { lastRows: 500 },
        scheduleSeconds: 300,
        minRows: 50,
        features: ["age", "city"],
        checks: {
          drift: { methods: { age: "psi:0.2" }, driftShare: 0.3 },
          skew: { thresholds: { city: 0.2 }, defaultThreshold: 0.1 },
          dataTests: { suite: "suite: s\n" },
          quality: { metric: "f1", threshold: 0.8, labelField: "y" },
        },
      }),
    ).toEqual(monitor);
    await client.monitors.create({ name: "m", deployment: "d", window: { lastSeconds: 600 }, scheduleSeconds: 60, checks: { drift: { reference: { path: "ref.csv" } }, skew: {} } });
    await client.monitors.delete("m");
    expect(sent()).toEqual([
      'POST /api/2.0/cairn/monitors/create {"name":"m","deployment":"d","window":{"last_rows":500},"schedule_seconds":300,' +
        '"checks":{"drift":{"reference":"training_profile","methods":{"age":"psi:0.2"},"drift_share":0.3},"skew":{"thresholds":{"city":0.2},"default_threshold":0.1},' +
        '"data_tests":{"suite":"suite: s\\n"},"quality":{"metric":"f1","threshold":0.8,"label_field":"y"}},"min_rows":50,"features":["age","city"]}',
      'POST /api/2.0/cairn/monitors/create {"name":"m","deployment":"d","window":{"last_seconds":600},"schedule_seconds":60,"checks":{"drift":{"reference":{"path":"ref.csv"}},"skew":{}}}',
      'POST /api/2.0/cairn/monitors/delete {"name":"m"}',
    ]);
  });
});
