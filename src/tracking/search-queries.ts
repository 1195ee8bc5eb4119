import { parseExperimentFilter, parseExperimentOrderBy } from "./search/parse-experiment-filter.js";
import { parseRunFilter } from "./search/parse-filter.js";
import { parseRunOrderBy } from "./search/parse-order-by.js";

/** The search parsers the service uses, gathered in one place so the service does not depend on the file layout. */
export const searchQueries = {
  parseRunFilter,
  parseRunOrderBy,
  parseExperimentFilter,
  parseExperimentOrderBy,
} as const;
