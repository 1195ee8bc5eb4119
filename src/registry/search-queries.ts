import {
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
} from "./search/index.js";

/** The registry search parsers the service uses, gathered in one place so the service does not depend on the layout. */
export const registrySearchQueries = {
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
  parseModelVersionFilter,
  parseModelVersionOrderBy,
} as const;
