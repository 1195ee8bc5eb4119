/** Result of a hypothesis test: the test statistic and its p-value, as scipy.stats returns them. */
export interface TestResult {
  statistic: number;
  pValue: number;
}
