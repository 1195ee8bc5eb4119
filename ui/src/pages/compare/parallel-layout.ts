import type { Run } from "../../api/entities";
import { dimensionScale, type DimensionScale } from "./dimension-scale";
import { fieldValue } from "./run-fields";

export interface PlotBox {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface ParallelAxis {
  field: string;
  x: number;
  scale: DimensionScale;
}

export interface ParallelLine {
  run: Run;
  /** SVG path data (to be drawn with round line caps); a dimension the run lacks breaks the line there. */
  path: string;
}

/** Screen y of a position on an axis: 1 at the top of the plot, 0 at its bottom. */
export const axisY = (box: PlotBox, position: number): number => box.top + (1 - position) * (box.height - box.top - box.bottom);

/** Axes spread evenly from left to right (a single axis stands in the middle), each with its own scale. */
export const parallelAxes = (runs: readonly Run[], fields: readonly string[], box: PlotBox): ParallelAxis[] => {
  const span = box.width - box.left - box.right;
  return fields.map((field, index) => ({
    field,
    x: fields.length === 1 ? box.left + span / 2 : box.left + (index * span) / (fields.length - 1),
    scale: dimensionScale(runs.map((run) => fieldValue(run, field))),
  }));
};

const round = (value: number): number => Math.round(value * 10) / 10;

export const parallelLines = (runs: readonly Run[], axes: readonly ParallelAxis[], box: PlotBox): ParallelLine[] =>
  runs.map((run) => {
    let path = "";
    let drawing = false;
    for (const axis of axes) {
      const position = axis.scale.position(fieldValue(run, axis.field));
      if (position === undefined) {
        drawing = false;
        continue;
      }
      // "h0" after a move: with round line caps a point between two gaps still shows as a dot.
      path += `${drawing ? "L" : "M"}${round(axis.x)},${round(axisY(box, position))}${drawing ? "" : "h0"}`;
      drawing = true;
    }
    return { run, path };
  });

/**
 * How wide the plot's text is taken to be, in viewBox units: 13 px monospace titles at 0.6 em a character, 11 px
 * ticks at (at most about) 0.6 em. The SVG scales as a whole, so text and gaps keep their proportions at any size.
 */
export const LABEL_METRICS = { titleCharPx: 7.8, tickCharPx: 6.6, tickGapPx: 6, tickRowPx: 14, titleRowPx: 16 } as const;

export interface AxisLabels {
  /** The title, cut with an ellipsis when it cannot fit (the full name is its tooltip and in the values table). */
  title: string;
  /** 0: the upper row of titles, 1: the lower; titles alternate rows when neighbours would not fit side by side. */
  titleRow: 0 | 1;
  /** The ticks that get a label: cut to the room left of the axis, spaced at least a text line apart. */
  ticks: { label: string; at: number }[];
}

const fitText = (text: string, maxChars: number): string =>
  text.length <= maxChars ? text : maxChars <= 1 ? "…" : `${text.slice(0, maxChars - 1)}…`;

/**
 * The labels of each axis such that none overlaps another (issue 11: long keys ran into each other): titles side by
 * side when they all fit, else in two alternating rows, each cut to its room; tick labels cut to the space between
 * this axis and the previous one (or the plot's left edge) and thinned so that they stay a line apart.
 */
export const axisLabels = (axes: readonly ParallelAxis[], box: PlotBox, shortName: (field: string) => string): AxisLabels[] => {
  const { titleCharPx, tickCharPx, tickGapPx, tickRowPx } = LABEL_METRICS;
  const spacing = axes.length > 1 ? (axes[1]?.x ?? 0) - (axes[0]?.x ?? 0) : box.width;
  const names = axes.map((axis) => shortName(axis.field));
  const oneRow = names.every((name, index) => index === 0 || ((names[index - 1]?.length ?? 0) + name.length) * titleCharPx * 0.5 <= spacing);
  const plotHeight = box.height - box.top - box.bottom;
  const maxTicks = Math.max(2, Math.floor(plotHeight / tickRowPx) + 1);
  return axes.map((axis, index) => {
    // Centred on the axis: its half must fit on each side, before the neighbour's half (same row) or the edge.
    const sideRoom = (oneRow ? spacing : 2 * spacing) / 2;
    const leftRoom = Math.min(index === 0 ? axis.x : sideRoom, axis.x);
    const rightRoom = Math.min(index === axes.length - 1 ? box.width - axis.x : sideRoom, box.width - axis.x);
    const titleChars = Math.floor((2 * Math.min(leftRoom, rightRoom)) / titleCharPx);
    const tickRoom = (index === 0 ? axis.x : spacing) - tickGapPx - 2;
    const tickChars = Math.max(1, Math.floor(tickRoom / tickCharPx));
    const every = Math.ceil(axis.scale.ticks.length / maxTicks);
    return {
      title: fitText(names[index] ?? "", titleChars),
      titleRow: oneRow || index % 2 === 0 ? 0 : 1,
      ticks: axis.scale.ticks.filter((_tick, tickIndex) => tickIndex % every === 0).map((tick) => ({ label: fitText(tick.label, tickChars), at: tick.at })),
    };
  });
};
