/**
 * Series colours, chosen to stay apart from each other on light and dark backgrounds (Tableau 10). A run keeps its
 * colour across every chart of a page because each chart gets the runs in the same order.
 */
export const SERIES_COLORS: readonly string[] = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];

export const seriesColor = (index: number): string => SERIES_COLORS[index % SERIES_COLORS.length] as string;

/** A CSS variable's value for the canvas, which cannot read var(); the fallback serves tests and old browsers. */
export const cssColor = (name: string, fallback: string): string => {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
};
