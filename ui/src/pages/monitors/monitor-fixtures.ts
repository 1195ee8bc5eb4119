import type { AlertsRead, MonitorResult, MonitorWire } from "./monitor-wire";

/** A monitor and its stored scores as the API answers them, for the component tests. */
export const watch: MonitorWire = {
  name: "churn-watch",
  deployment: "churn",
  window: { last_rows: 5000 },
  schedule_seconds: 300,
  checks: {
    drift: { reference: "training_profile" },
    data_tests: { suite: "suite: live\nexpectations: []\n" },
  },
  created_time: 1_700_000_000_000,
  last_updated_time: 1_700_000_000_000,
  last_run_time: 1_700_000_600_000,
};

const at = (time: number, check: MonitorResult["check"], feature: string, method: string, statistic: number | null, threshold: number | null, passed: boolean): MonitorResult => ({
  time,
  check,
  feature,
  method,
  statistic,
  threshold,
  passed,
});

const T1 = 1_700_000_300_000;
const T2 = 1_700_000_600_000;

/** Newest first, as monitors/history pages them: the second run drifts on age and fails a data test on city. */
export const watchHistory: MonitorResult[] = [
  at(T2, "drift", "", "share_drifted", 0.5, 0.5, false),
  at(T2, "drift", "age", "jensenshannon", 0.31, 0.1, false),
  at(T2, "drift", "city", "jensenshannon", 0.04, 0.1, true),
  at(T2, "data_tests", "", "success_share", 0.5, 1, false),
  {
    ...at(T2, "data_tests", "city", "expect_column_values_to_be_in_set", 0, 1, false),
    observed_value: 12,
    message: "expect_column_values_to_be_in_set on column \"city\" failed: 12 of 5000 non-null values (0.24%) fail the bound in {'Oslo', 'Rome'}",
  },
  { ...at(T2, "data_tests", "age", "expect_column_values_to_be_between", 1, 1, true), observed_value: 0, message: "" },
  at(T1, "drift", "", "share_drifted", 0, 0.5, true),
  at(T1, "drift", "age", "jensenshannon", 0.02, 0.1, true),
  at(T1, "drift", "city", "jensenshannon", 0.03, 0.1, true),
  at(T1, "data_tests", "", "success_share", 1, 1, true),
  at(T1, "data_tests", "city", "expect_column_values_to_be_in_set", 1, 1, true),
  at(T1, "data_tests", "age", "expect_column_values_to_be_between", 1, 1, true),
];

export const LATEST_RUN_TIME = T2;

/** monitors/alerts for the runs above, plus an older drift failure that recovered at T1. */
export const watchAlerts: Omit<AlertsRead, "truncated"> = {
  states: [
    { check: "drift", failing: true, since: T2 },
    { check: "data_tests", failing: true, since: T2 },
  ],
  events: [
    { time: T2, check: "data_tests", kind: "alert", message: "data tests failed: expect_column_values_to_be_in_set on 'city'", window_rows: 5000, scores: [{ feature: "", method: "success_share", statistic: 0.5, threshold: 1 }] },
    { time: T2, check: "drift", kind: "alert", message: "dataset drift: 1 of 2 columns drifted", window_rows: 5000, scores: [{ feature: "", method: "share_drifted", statistic: 0.5, threshold: 0.5 }] },
    { time: T1, check: "drift", kind: "recovered", message: "no dataset drift", window_rows: 5000, failing_since: T1 - 300_000, scores: [{ feature: "", method: "share_drifted", statistic: 0, threshold: 0.5 }] },
  ],
};
