import type { HttpMethod } from "../../server/mlflow-endpoint.js";
import type { Rule } from "./rule.js";

/**
 * Rules are keyed by method and fastify URL ("POST /api/2.0/mlflow/runs/create"). The /ajax-api/ spelling of a route
 * (MLflow's UI prefix) is the same route, and HEAD is GET (fastify answers HEAD from the GET route).
 */
export type RouteRules = Record<string, Rule>;

export const routeKey = (method: string, url: string): string => {
  const verb = method.toUpperCase() === "HEAD" ? "GET" : method.toUpperCase();
  return `${verb} ${url.replace(/^\/ajax-api\//, "/api/")}`;
};

/** The methods routes use: MLflow's endpoints' and PUT (artifact uploads). */
export type Method = HttpMethod | "PUT";

const rulesFor = (methods: Method | Method[], url: string, rule: Rule): RouteRules =>
  Object.fromEntries((Array.isArray(methods) ? methods : [methods]).map((method) => [routeKey(method, url), rule]));

/** An MLflow route, under /api/<apiVersion>.0/mlflow. */
export const mlflow = (methods: HttpMethod | HttpMethod[], path: string, rule: Rule, apiVersion: 2 | 3 = 2): RouteRules =>
  rulesFor(methods, `/api/${apiVersion}.0/mlflow/${path}`, rule);

/** One of Cairn's own routes, under /api/2.0/cairn. */
export const cairn = (methods: HttpMethod | HttpMethod[], path: string, rule: Rule): RouteRules => rulesFor(methods, `/api/2.0/cairn/${path}`, rule);

/** A raw route by its full URL (artifacts, scoring, metrics). */
export const raw = (methods: Method | Method[], url: string, rule: Rule): RouteRules => rulesFor(methods, url, rule);
