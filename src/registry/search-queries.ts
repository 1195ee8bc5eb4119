import {
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
} from "./search/index.js";
import type { ModelVersionSearch, RegisteredModelSearch, RegistryComparison, RegistryOrderBy } from "./store.js";
import {
  SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
  validateModelVersionsMaxResults,
  validateRegisteredModelsMaxResults,
} from "./validation.js";

/** A search-registered-models or search-model-versions request as the routes read it. */
export interface RegistrySearchRequest {
  filter?: string;
  maxResults?: number;
  orderBy: string[];
  pageToken?: string;
}

/** What differs between the two registry searches: the page size rules and the grammars (search/). */
interface SearchGrammar {
  defaultMaxResults: number;
  validateMaxResults: (maxResults: number) => void;
  parseFilter: (filter: string) => RegistryComparison[];
  parseOrderBy: (clauses: readonly string[]) => RegistryOrderBy[];
}

const storeQuery = (request: RegistrySearchRequest, grammar: SearchGrammar): RegisteredModelSearch & ModelVersionSearch => {
  const maxResults = request.maxResults ?? grammar.defaultMaxResults;
  grammar.validateMaxResults(maxResults);
  return {
    filter: request.filter ? grammar.parseFilter(request.filter) : [],
    orderBy: grammar.parseOrderBy(request.orderBy),
    maxResults,
    ...(request.pageToken ? { pageToken: request.pageToken } : {}),
  };
};

const REGISTERED_MODELS: SearchGrammar = {
  defaultMaxResults: SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
  validateMaxResults: validateRegisteredModelsMaxResults,
  parseFilter: parseRegisteredModelFilter,
  parseOrderBy: parseRegisteredModelOrderBy,
};

const MODEL_VERSIONS: SearchGrammar = {
  defaultMaxResults: SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
  validateMaxResults: validateModelVersionsMaxResults,
  parseFilter: parseModelVersionFilter,
  parseOrderBy: parseModelVersionOrderBy,
};

/** The store's query for a search-registered-models request: MLflow's default page size and limit, the parsed filter and order. */
export const registeredModelSearch = (request: RegistrySearchRequest): RegisteredModelSearch => storeQuery(request, REGISTERED_MODELS);

/** The store's query for a search-model-versions request: MLflow's default page size and limit, the parsed filter and order. */
export const modelVersionSearch = (request: RegistrySearchRequest): ModelVersionSearch => storeQuery(request, MODEL_VERSIONS);
