export { openDataset, type OpenDatasetOptions } from "./open-dataset.js";
export { openRowsDataset } from "./open-rows-dataset.js";
export { resolveFormat } from "./data-format.js";
export { columnKindOf } from "./column-kind.js";
