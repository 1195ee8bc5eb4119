import type { MonitorResult, MonitorWire } from "./monitor-wire";

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
  at(T2, "data_tests", "city", "expect_column_values_to_be_in_set", 0, 1, false),
  at(T2, "data_tests", "age", "expect_column_values_to_be_between", 1, 1, true),
  at(T1, "drift", "", "share_drifted", 0, 0.5, true),
  at(T1, "drift", "age", "jensenshannon", 0.02, 0.1, true),
  at(T1, "drift", "city", "jensenshannon", 0.03, 0.1, true),
  at(T1, "data_tests", "", "success_share", 1, 1, true),
  at(T1, "data_tests", "city", "expect_column_values_to_be_in_set", 1, 1, true),
  at(T1, "data_tests", "age", "expect_column_values_to_be_between", 1, 1, true),
];

export const LATEST_RUN_TIME = T2;
