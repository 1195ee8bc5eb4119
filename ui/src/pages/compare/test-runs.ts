import type { Run } from "../../api/entities";

/** A finished run with the given params and latest metrics, for tests. */
export const testRun = (id: string, params: Record<string, string>, metrics: Record<string, number | string>): Run => ({
  info: { run_id: id, run_uuid: id, run_name: id, experiment_id: "1", user_id: "u", status: "FINISHED", start_time: 1, artifact_uri: "", lifecycle_stage: "active" },
  data: {
    params: Object.entries(params).map(([key, value]) => ({ key, value })),
    metrics: Object.entries(metrics).map(([key, value]) => ({ key, value: value as number, step: 0, timestamp: 1 })),
    tags: [],
  },
  inputs: { dataset_inputs: [] },
});
