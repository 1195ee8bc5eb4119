import type { ReactNode } from "react";
import { Link } from "wouter";
import { experimentPath } from "./experiment-paths";
import { useExperiment } from "./use-experiment";

/**
 * "Experiments / <experiment name> / …" for the pages under an experiment. The experiment is named, not numbered:
 * an id says nothing to a reader (the id stands in only until the name loads, or when it cannot be read).
 */
export const ExperimentCrumbs = ({ experimentId, children }: { experimentId: string; children?: ReactNode }): ReactNode => {
  const experiment = useExperiment(experimentId);
  const name = experiment.data?.experiment.name ?? `Experiment ${experimentId}`;
  return (
    <>
      <Link href="/experiments">Experiments</Link> / <Link href={experimentPath(experimentId)}>{name}</Link>
      {children ? <> / {children}</> : null}
    </>
  );
};
