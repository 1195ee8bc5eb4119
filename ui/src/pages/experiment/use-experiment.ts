import { queryOptions, usePrefetchQuery, useQuery, type UseQueryResult } from "@tanstack/react-query";
import { mlflowGet } from "../../api/http";
import type { Experiment } from "../../api/entities";

/** An experiment (experiments/get), asked for during render so that the request starts with the page. */
export const useExperiment = (experimentId: string): UseQueryResult<{ experiment: Experiment }> => {
  const options = queryOptions({
    queryKey: ["experiment", experimentId],
    queryFn: ({ signal }) => mlflowGet<{ experiment: Experiment }>("experiments/get", { experiment_id: experimentId }, signal),
  });
  usePrefetchQuery(options);
  return useQuery(options);
};
