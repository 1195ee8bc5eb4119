import type { ReactNode } from "react";
import { Link } from "wouter";
import { experimentPath, loggedModelsPath, tracesPath } from "./experiment-paths";

export type ExperimentView = "runs" | "models" | "traces";

/**
 * The experiment's three views, each its own address (so each keeps its own filter, sort and page in the URL):
 * links marked with aria-current rather than ARIA tabs, because choosing one navigates.
 */
export const ExperimentTabs = ({ experimentId, current }: { experimentId: string; current: ExperimentView }): ReactNode => {
  const views: readonly { id: ExperimentView; label: string; href: string }[] = [
    { id: "runs", label: "Runs", href: experimentPath(experimentId) },
    { id: "models", label: "Logged models", href: loggedModelsPath(experimentId) },
    { id: "traces", label: "Traces", href: tracesPath(experimentId) },
  ];
  return (
    <nav className="tabs experiment-tabs" aria-label="Experiment views">
      {views.map((view) => (
        <Link key={view.id} href={view.href} aria-current={view.id === current ? "page" : undefined}>
          {view.label}
        </Link>
      ))}
    </nav>
  );
};
