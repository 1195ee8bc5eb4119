import type { Fields } from "../protocol/mlflow/fields.js";
import type { DeleteTracesRequest } from "./service.js";
import type { TracePage } from "./store.js";
import type { TraceWithAssessments } from "./trace.js";

/** A search answer: `traces` omitted when empty and `next_page_token` on all but the last page, as protobuf writes them. */
export const searchPage = <T>(page: TracePage, toJson: (trace: TraceWithAssessments) => T): { traces?: T[]; next_page_token?: string } => ({
  ...(page.items.length > 0 ? { traces: page.items.map(toJson) } : {}),
  ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
});

/** DeleteTraces and DeleteTracesV3 carry the same fields (`request_ids`; `trace_ids` accepted as its v3 spelling). */
export const readDeleteTraces = (fields: Fields): DeleteTracesRequest => {
  const maxTimestampMillis = fields.optionalInt64("max_timestamp_millis");
  const maxTraces = fields.optionalInt64("max_traces");
  return {
    experimentId: fields.requiredString("experiment_id"),
    requestIds: [...fields.stringList("request_ids"), ...fields.stringList("trace_ids")],
    ...(maxTimestampMillis !== undefined ? { maxTimestampMillis } : {}),
    ...(maxTraces !== undefined ? { maxTraces } : {}),
  };
};
