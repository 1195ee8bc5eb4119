import { type Fields, ORDER_BY_CLAUSES, SEARCH_IDS } from "../protocol/mlflow/fields.js";
import type { DeleteTracesRequest, TraceSearchRequest } from "./service.js";
import type { TracePage } from "./store.js";
import type { TraceWithAssessments } from "./trace.js";

/** A search answer: `traces` omitted when empty and `next_page_token` on all but the last page, as protobuf writes them. */
export const searchPage = <T>(page: TracePage, toJson: (trace: TraceWithAssessments) => T): { traces?: T[]; next_page_token?: string } => ({
  ...(page.items.length > 0 ? { traces: page.items.map(toJson) } : {}),
  ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
});

/**
 * SearchTraces and SearchTracesV3 carry the same filter, order and paging fields; they name experiments differently,
 * so the route passes how to read those; they are read after the paging fields, as before, so that a request with
 * several bad fields is still answered with the same one.
 */
export const readTraceSearch = (fields: Fields, experimentIds: () => string[]): TraceSearchRequest => {
  const maxResults = fields.optionalInt64("max_results");
  const filter = fields.optionalString("filter");
  const pageToken = fields.optionalString("page_token");
  return {
    experimentIds: experimentIds(),
    orderBy: fields.stringList("order_by", ORDER_BY_CLAUSES),
    ...(filter ? { filter } : {}),
    ...(maxResults !== undefined ? { maxResults } : {}),
    ...(pageToken ? { pageToken } : {}),
  };
};

/** DeleteTraces and DeleteTracesV3 carry the same fields (`request_ids`; `trace_ids` accepted as its v3 spelling). */
export const readDeleteTraces = (fields: Fields): DeleteTracesRequest => {
  const maxTimestampMillis = fields.optionalInt64("max_timestamp_millis");
  const maxTraces = fields.optionalInt64("max_traces");
  return {
    experimentId: fields.requiredString("experiment_id"),
    requestIds: [...fields.stringList("request_ids", SEARCH_IDS), ...fields.stringList("trace_ids", SEARCH_IDS)],
    ...(maxTimestampMillis !== undefined ? { maxTimestampMillis } : {}),
    ...(maxTraces !== undefined ? { maxTraces } : {}),
  };
};
