/** The registry search grammars: filters and order_by of search-registered-models and search-model-versions. */
export { parseModelVersionFilter, parseRegisteredModelFilter } from "./parse-registry-filter.js";
export { parseModelVersionOrderBy, parseRegisteredModelOrderBy } from "./parse-registry-order-by.js";
