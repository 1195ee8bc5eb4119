import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { WriteContext } from "../../core/actor.js";
import { CairnError, ErrorCode } from "../../core/errors.js";
import type { Fields } from "../../protocol/mlflow/fields.js";
import { requestFields } from "../../server/mlflow-endpoint.js";
import type { Principal } from "../principal.js";
import { canonicalUsername } from "../usernames.js";
import { describeNeed, type PermissionService } from "./permission-service.js";
import type { ResourceLookup } from "./resources.js";
import type { AfterSuccess, Requirement, Rule, RuleInput, Visibility } from "./rule.js";
import { routeKey, type RouteRules } from "./route-key.js";

export interface AuthorizerOptions {
  service: PermissionService;
  lookup: ResourceLookup;
  rules: RouteRules;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The permission rule the preHandler applied, kept for the response's filter and after-success effects. */
    permissionRule?: { rule: Rule; input: RuleInput };
  }
}

const denied = (message: string): CairnError => new CairnError(ErrorCode.PERMISSION_DENIED, `Permission denied: ${message}`);

/** A deployment or monitor that cannot be resolved hides its list entry: a filter never shows what it cannot judge. */
const orUndefined = async <T>(work: Promise<T>): Promise<T | undefined> => {
  try {
    return await work;
  } catch {
    return undefined;
  }
};

/**
 * Authorization as two hooks on every route. preHandler (the body is parsed by then, so ids in bodies are read as the
 * route reads them): the route's rule says what the request needs, and a request that lacks any of it gets 403. With
 * no principal (auth off, or a public route) it does nothing. preSerialization: a list answer is cut to what the user
 * may read, and a successful create grants its creator MANAGE.
 */
export class Authorizer {
  /** Every route registered after install(), as "METHOD url" (what the table must cover). */
  readonly routes: string[] = [];

  constructor(private readonly options: AuthorizerOptions) {}

  /** The rule of a route; undefined when the table has none (then only administrators pass). */
  ruleOf(method: string, url: string): Rule | undefined {
    const key = routeKey(method, url);
    return Object.hasOwn(this.options.rules, key) ? this.options.rules[key] : undefined;
  }

  install(app: FastifyInstance): void {
    app.addHook("onRoute", (route) => {
      for (const method of Array.isArray(route.method) ? route.method : [route.method]) this.routes.push(`${method} ${route.url}`);
    });
    app.addHook("preHandler", async (request) => this.authorize(request));
    app.addHook("preSerialization", async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => this.afterwards(request, reply, payload));
  }

  private async authorize(request: FastifyRequest): Promise<void> {
    const principal = request.principal;
    const url = request.routeOptions.url;
    // No principal: auth is off or the route is public. No route: the 404 answer, which reveals nothing.
    if (principal === undefined || url === undefined) return;
    const rule = this.ruleOf(request.method, url);
    const label = `${request.method} ${url.length > 120 ? `${url.slice(0, 120)}...` : url}`;
    if (rule === undefined) {
      if (principal.isAdmin) return;
      throw denied(`${label} has no permission rule, so only administrators may call it`);
    }
    const input = this.inputOf(request, principal);
    request.permissionRule = { rule, input };
    // Administrators pass every check (MLflow's rule), so nothing is resolved for them: their requests fail or
    // succeed exactly as with auth off.
    if (principal.isAdmin) return;
    const needs = await rule.require(input);
    for (const need of needs) {
      if (!(await this.options.service.meets(principal, need))) throw denied(this.messageOf(label, need));
    }
  }

  private messageOf(label: string, need: Requirement): string {
    return need.on === "admin" ? `${need.what} needs an administrator (${label})` : `${label} needs ${describeNeed(need)}`;
  }

  private inputOf(request: FastifyRequest, principal: Principal): RuleInput {
    let fields: Fields | undefined;
    return {
      fields: () => (fields ??= requestFields(request)),
      params: (request.params ?? {}) as Record<string, string | undefined>,
      query: (request.query ?? {}) as Record<string, unknown>,
      principal,
      lookup: this.options.lookup,
    };
  }

  private async afterwards(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    const applied = request.permissionRule;
    const principal = request.principal;
    if (applied === undefined || principal === undefined || reply.statusCode >= 300) return payload;
    if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return payload;
    const body = payload as Record<string, unknown>;
    const { rule, input } = applied;
    if (rule.after) await rule.after(body, input, this.effectsFor(principal, request));
    if (rule.filter && !principal.isAdmin) return rule.filter(body, this.visibilityFor(principal));
    return body;
  }

  private effectsFor(principal: Principal, request: FastifyRequest): AfterSuccess {
    const ctx: WriteContext = { actor: { name: principal.username, verified: true }, requestId: String(request.id) };
    const service = this.options.service;
    return {
      grantExperimentManage: (experimentId) => service.grantCreatorOfExperiment(experimentId, principal.username, ctx),
      grantModelManage: (name) => service.grantCreatorOfModel(name, principal.username, ctx),
      forgetUser: (username) => service.forgetUser(canonicalUsername(username)),
    };
  }

  private visibilityFor(principal: Principal): Visibility {
    const { service, lookup } = this.options;
    return {
      canReadExperiment: (id) => service.meets(principal, { on: "experiment", id, capability: "read" }),
      canReadModel: (name) => service.meets(principal, { on: "registered_model", name, capability: "read" }),
      modelOfDeployment: (name) => orUndefined(lookup.modelOfDeployment(name)),
      deploymentOfMonitor: (name) => orUndefined(lookup.deploymentOfMonitor(name)),
    };
  }
}
