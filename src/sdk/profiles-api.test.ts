import { describe, expect, it } from "vitest";
import { useRecordingClient } from "./test-support/recording-client.js";

const { clientFor, requests, urls } = useRecordingClient();

const profile = { schema_version: 1, row_count: 2, columns: [{ name: "age", kind: "numeric" }] };

describe("ProfilesApi requests", () => {
  it("attaches, reads, sets and reads a training profile over data/profiles/*", async () => {
    const client = await clientFor((request) => {
      if (request.url.includes("attach")) return { status: 200, body: { artifact_path: "profiles/train.json", uri: "runs:/r1/profiles/train.json" } };
      if (request.url.includes("set-training")) return { status: 200, body: { uri: "runs:/r1/profiles/train.json" } };
      return { status: 200, body: { profile } };
    });
    expect(await client.profiles.attach("r1", "train", profile as never)).toEqual({ artifact_path: "profiles/train.json", uri: "runs:/r1/profiles/train.json" });
    expect(await client.profiles.get("r1", "train")).toEqual(profile);
    expect(await client.profiles.setTraining("churn", "3", "train")).toEqual({ uri: "runs:/r1/profiles/train.json" });
    expect(await client.profiles.training("churn", "3")).toEqual(profile);
    expect(urls()).toEqual([
      "POST /api/2.0/cairn/data/profiles/attach",
      "GET /api/2.0/cairn/data/profiles/get?run_id=r1&name=train",
      "POST /api/2.0/cairn/data/profiles/set-training",
      "GET /api/2.0/cairn/data/profiles/training?name=churn&version=3",
    ]);
    expect(JSON.parse(requests()[0]?.body ?? "{}")).toEqual({ run_id: "r1", name: "train", profile });
    expect(JSON.parse(requests()[2]?.body ?? "{}")).toEqual({ name: "churn", version: "3", profile_name: "train" });
  });
});
