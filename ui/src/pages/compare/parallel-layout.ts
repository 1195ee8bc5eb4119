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
