import { useId, useMemo, type MouseEvent, type ReactNode } from "react";
import { useLocation } from "wouter";
import { runPath } from "../experiment/experiment-paths";
import { DAG_LAYOUT, layoutDag, type PlacedStage } from "./pipeline-layout";
import { STAGE_STATES, type PipelineStage, type PipelineSummary, type StageState } from "./pipeline-summary";

/** What a state is called; the colour is never the only sign (the box says the state in words too). */
export const STATE_LABEL: Record<StageState, string> = { ran: "Ran", cached: "Restored from run cache", skipped: "Skipped (unchanged)", failed: "Failed" };

const MAX_NAME_CHARS = 22;
const shorten = (text: string): string => (text.length > MAX_NAME_CHARS ? `${text.slice(0, MAX_NAME_CHARS - 1)}…` : text);

/** A plain left click follows the link inside the app; modified clicks (new tab, ...) are the browser's. */
const isPlainClick = (event: MouseEvent): boolean => event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;

/**
 * The accessible name starts with exactly the text the box shows ("train cached"), so speech input can name what it
 * sees, then says the state in full.
 */
export const stageLabel = (stage: PipelineStage): string => `${shorten(stage.name)} ${stage.state}: stage ${stage.name}, ${STATE_LABEL[stage.state].toLowerCase()}`;

const StageBox = ({ placed, stage }: { placed: PlacedStage; stage: PipelineStage }): ReactNode => (
  <>
    <rect x={placed.x} y={placed.y} width={DAG_LAYOUT.nodeWidth} height={DAG_LAYOUT.nodeHeight} rx={6} />
    <text>
      <tspan className="stage-name" x={placed.x + 10} y={placed.y + 20}>
        {shorten(stage.name)}
      </tspan>{" "}
      <tspan className="stage-state" x={placed.x + 10} y={placed.y + 38}>
        {stage.state}
      </tspan>
    </text>
  </>
);

/**
 * The pipeline's stages as an SVG DAG (layoutDag), each box coloured by its state and linking to the stage's run;
 * a legend names the colours. Stages without a run (skipped before any run was recorded) are focusable images.
 */
export const PipelineDag = ({ summary, experimentId }: { summary: PipelineSummary; experimentId: string }): ReactNode => {
  const layout = useMemo(() => layoutDag(summary), [summary]);
  const byName = useMemo(() => new Map(summary.stages.map((stage) => [stage.name, stage])), [summary]);
  const [, navigate] = useLocation();
  const titleId = useId();
  const markerId = `${useId().replaceAll(":", "")}-arrow`;
  return (
    <figure className="pipeline-dag">
      <figcaption id={titleId} className="visually-hidden">
        Pipeline stages, upstream on the left
      </figcaption>
      <div className="pipeline-dag-scroll">
        <svg role="group" aria-labelledby={titleId} width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`}>
          <defs>
            <marker id={markerId} viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path className="dag-arrow" d="M 0 0 L 10 5 L 0 10 z" />
            </marker>
          </defs>
          <g aria-hidden="true">
            {layout.edges.map((edge) => (
              <path key={`${edge.from}|${edge.to}`} className="dag-edge" d={edge.path} markerEnd={`url(#${markerId})`} />
            ))}
          </g>
          {layout.stages.map((placed) => {
            const stage = byName.get(placed.name);
            if (stage === undefined) return null;
            const label = stageLabel(stage);
            return stage.runId === undefined ? (
              <g key={stage.name} className="dag-stage" data-state={stage.state} tabIndex={0} role="img" aria-label={label}>
                <StageBox placed={placed} stage={stage} />
              </g>
            ) : (
              <a
                key={stage.name}
                className="dag-stage"
                data-state={stage.state}
                href={runPath(experimentId, stage.runId)}
                aria-label={label}
                onClick={(event) => {
                  if (!isPlainClick(event) || stage.runId === undefined) return;
                  event.preventDefault();
                  navigate(runPath(experimentId, stage.runId));
                }}
              >
                <StageBox placed={placed} stage={stage} />
              </a>
            );
          })}
        </svg>
      </div>
      <ul className="dag-legend" aria-label="Stage states">
        {STAGE_STATES.map((state) => (
          <li key={state} data-state={state}>
            <svg width="14" height="14" aria-hidden="true">
              <rect x="1" y="1" width="12" height="12" rx="3" />
            </svg>
            {STATE_LABEL[state]}
          </li>
        ))}
      </ul>
    </figure>
  );
};
