import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * MLflow's protocol messages (see test/fixtures/mlflow-protos/README.md) and the protobuf JSON mapping, as the
 * MLflow Python client applies it: requests are built the way mlflow/utils/proto_json_utils.py message_to_json
 * builds them, responses are checked the way google.protobuf.json_format.ParseDict reads them (stricter: unknown
 * fields and nulls are reported, because MLflow's own server never sends them).
 */

const SCHEMA_FILE = fileURLToPath(new URL("../fixtures/mlflow-protos/mlflow-wire-schema.json", import.meta.url));

const SCALARS = ["string", "bool", "double", "float", "int32", "int64", "uint64"] as const;
type Scalar = (typeof SCALARS)[number];
const INT64_TYPES: readonly string[] = ["int64", "uint64"];
const INTEGER_TYPES: readonly string[] = ["int32", "int64", "uint64"];

/**
 * google.protobuf well-known types, which the JSON mapping writes as plain JSON: a Timestamp as an RFC 3339 "Z"
 * string with 0, 3, 6 or 9 fractional digits, a Duration as seconds with the same digits and an "s", a FieldMask
 * as one string of comma-separated lowerCamelCase paths, a Value as any JSON value.
 */
const WELL_KNOWN: Record<string, { shape: string; ok: (value: unknown) => boolean }> = {
  "google.protobuf.Timestamp": {
    shape: 'an RFC 3339 string such as "2025-06-04T00:17:06.901Z"',
    ok: (value) => typeof value === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.(\d{3}|\d{6}|\d{9}))?Z$/.test(value),
  },
  "google.protobuf.Duration": {
    shape: 'a duration string such as "0.228s"',
    ok: (value) => typeof value === "string" && /^-?\d+(\.(\d{3}|\d{6}|\d{9}))?s$/.test(value),
  },
  "google.protobuf.FieldMask": {
    shape: 'a string of comma-separated lowerCamelCase paths such as "assessmentName,rationale"',
    ok: (value) => typeof value === "string" && /^([a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)*)(,[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)*)*$/.test(value),
  },
  "google.protobuf.Value": { shape: "any JSON value", ok: (value) => value !== undefined },
};

export interface FieldSpec {
  name: string;
  id: number;
  repeated: boolean;
  /** A map<string, type> (proto `map` fields): a JSON object whose values are of `type`. */
  map: boolean;
  /** A scalar type name, a well-known google.protobuf type, or the full name of a message or enum. */
  type: string;
  /** Marked `[(validate_required) = true]` in the proto. */
  required: boolean;
}

export interface Endpoint {
  method: string;
  /** As written in the proto, e.g. /mlflow/runs/create or /mlflow-artifacts/artifacts/<path:artifact_path>. */
  path: string;
  since: string;
}

export interface Rpc {
  service: string;
  name: string;
  request: string;
  response: string;
  /** In proto order; the Python client calls the first (mlflow/utils/rest_utils.py extract_api_info_for_service). */
  endpoints: Endpoint[];
}

interface SchemaFile {
  origin: { repository: string; files: Record<string, string>; license: string };
  enums: Record<string, Record<string, number>>;
  messages: Record<string, Record<string, string>>;
  services: Record<string, Record<string, string[]>>;
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const parseField = (name: string, spec: string): FieldSpec => {
  // "<id> optional|repeated|map <type> [required] [default=<v>]" (map: map<string, <type>>)
  const match = /^(\d+) (optional|repeated|map) ([\w.]+)((?: required| default=\S+)*)$/.exec(spec);
  if (!match) throw new Error(`bad field spec for ${name}: '${spec}'`);
  return {
    name,
    id: Number(match[1]),
    repeated: match[2] === "repeated",
    map: match[2] === "map",
    type: match[3] ?? "",
    required: (match[4] ?? "").includes(" required"),
  };
};

const parseEndpoint = (text: string): Endpoint => {
  const match = /^(GET|POST|PUT|PATCH|DELETE) (\S+) since (\d+\.\d+)$/.exec(text);
  if (!match) throw new Error(`bad endpoint '${text}'`);
  return { method: match[1] ?? "", path: match[2] ?? "", since: match[3] ?? "" };
};

export class ProtoSchema {
  readonly origin: SchemaFile["origin"];
  readonly enums = new Map<string, Map<string, number>>();
  readonly messages = new Map<string, Map<string, FieldSpec>>();
  readonly rpcs = new Map<string, Rpc>();

  constructor(file: SchemaFile) {
    this.origin = file.origin;
    for (const [name, values] of Object.entries(file.enums)) this.enums.set(name, new Map(Object.entries(values)));
    for (const [name, fields] of Object.entries(file.messages)) {
      this.messages.set(name, new Map(Object.entries(fields).map(([field, spec]) => [field, parseField(field, spec)])));
    }
    for (const [service, methods] of Object.entries(file.services)) {
      for (const [name, [request, ...endpoints]] of Object.entries(methods)) {
        if (!request || endpoints.length === 0) throw new Error(`rpc ${service}.${name} needs a request and endpoints`);
        this.rpcs.set(`${service}.${name}`, {
          service,
          name,
          request,
          response: `${request}.Response`,
          endpoints: endpoints.map(parseEndpoint),
        });
      }
    }
  }

  /** Every referenced type must be defined, every field id unique: catches transcription slips. */
  selfCheck(): string[] {
    const problems: string[] = [];
    for (const [name, fields] of this.messages) {
      const ids = new Set<number>();
      for (const field of fields.values()) {
        if (ids.has(field.id)) problems.push(`${name}: field id ${field.id} used twice`);
        ids.add(field.id);
        if (!this.isScalar(field.type) && !(field.type in WELL_KNOWN) && !this.messages.has(field.type) && !this.enums.has(field.type)) {
          problems.push(`${name}.${field.name}: unknown type ${field.type}`);
        }
      }
    }
    for (const rpc of this.rpcs.values()) {
      for (const type of [rpc.request, rpc.response]) {
        if (!this.messages.has(type)) problems.push(`${rpc.service}.${rpc.name}: unknown message ${type}`);
      }
    }
    return problems;
  }

  rpc(qualifiedName: string): Rpc {
    const rpc = this.rpcs.get(qualifiedName);
    if (!rpc) throw new Error(`no rpc ${qualifiedName} in the schema`);
    return rpc;
  }

  message(name: string): Map<string, FieldSpec> {
    const message = this.messages.get(name);
    if (!message) throw new Error(`no message ${name} in the schema`);
    return message;
  }

  private isScalar(type: string): type is Scalar {
    return (SCALARS as readonly string[]).includes(type);
  }

  /**
   * Checks a JSON value against a message per the protobuf JSON mapping. Returns one line per violation, each
   * naming the JSON path, what the proto expects and what came.
   */
  validate(typeName: string, value: unknown, path = "$"): string[] {
    if (!isObject(value)) return [`${path}: expected a JSON object for ${typeName}, got ${describe(value)}`];
    const fields = this.message(typeName);
    const problems: string[] = [];
    for (const [key, item] of Object.entries(value)) {
      const field = fields.get(key);
      const at = `${path}.${key}`;
      if (!field) {
        problems.push(`${at}: unknown field (not in ${typeName}, which has: ${[...fields.keys()].join(", ") || "no fields"})`);
        continue;
      }
      if (field.map) {
        if (!isObject(item)) {
          problems.push(`${at}: map<string, ${field.type}> must be a JSON object, got ${describe(item)}`);
          continue;
        }
        for (const [mapKey, element] of Object.entries(item)) problems.push(...this.validateSingle(field, element, `${at}.${mapKey}`));
      } else if (field.repeated) {
        if (!Array.isArray(item)) {
          problems.push(`${at}: repeated ${field.type} must be a JSON array, got ${describe(item)}`);
          continue;
        }
        item.forEach((element, index) => problems.push(...this.validateSingle(field, element, `${at}[${index}]`)));
      } else {
        problems.push(...this.validateSingle(field, item, at));
      }
    }
    return problems;
  }

  private validateSingle(field: FieldSpec, value: unknown, at: string): string[] {
    if (value === null) return [`${at}: null (${field.type}); MLflow omits unset fields instead`];
    const type = field.type;
    const wellKnown = WELL_KNOWN[type];
    if (wellKnown) return wellKnown.ok(value) ? [] : [`${at}: expected ${wellKnown.shape} for ${type}, got ${describe(value)}`];
    if (this.isScalar(type)) {
      const ok = scalarOk(type, value);
      return ok ? [] : [`${at}: expected ${jsonShapeOf(type)} for ${type}, got ${describe(value)}`];
    }
    const enumValues = this.enums.get(type);
    if (enumValues) {
      if (typeof value === "string" && enumValues.has(value)) return [];
      return [`${at}: expected a ${type} name (${[...enumValues.keys()].slice(0, 6).join(", ")}...), got ${describe(value)}`];
    }
    return this.validate(type, value, at);
  }

  /** Required fields (validate_required) missing from a request: the test's own requests must not have any. */
  missingRequired(typeName: string, value: JsonObject, path = "$"): string[] {
    const problems: string[] = [];
    for (const field of this.message(typeName).values()) {
      const item = value[field.name];
      if (field.required && item === undefined) problems.push(`${path}.${field.name}: required by ${typeName}`);
      if (item === undefined || field.map || this.isScalar(field.type) || field.type in WELL_KNOWN || this.enums.has(field.type)) continue;
      const items = field.repeated && Array.isArray(item) ? item : [item];
      items.forEach((element, index) => {
        if (isObject(element)) problems.push(...this.missingRequired(field.type, element, `${path}.${field.name}[${index}]`));
      });
    }
    return problems;
  }

  /**
   * The JSON the MLflow Python client sends for a message (proto_json_utils.message_to_json): MessageToJson with
   * preserving_proto_field_name=True, so field names as in the proto, enums by name, doubles as numbers or
   * "NaN"/"Infinity"/"-Infinity", only set fields. int64 fields: the 2.x client merges them back to JSON numbers
   * (_mark_int64_fields + _merge_json_dicts); plain MessageToJson (older clients, the Java client) sends them as
   * strings: `int64: "string"` reproduces that.
   */
  toClientJson(typeName: string, message: Record<string, unknown>, options: { int64: "number" | "string" }): JsonObject {
    const fields = this.message(typeName);
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(message)) {
      if (value === undefined) continue;
      const field = fields.get(key);
      if (!field) throw new Error(`test bug: ${typeName} has no field ${key}`);
      const encode = (item: unknown): Json => this.encodeSingle(field, item, options);
      out[key] = field.map
        ? Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([mapKey, item]) => [mapKey, encode(item)]))
        : field.repeated
          ? (value as unknown[]).map(encode)
          : encode(value);
    }
    return out;
  }

  private encodeSingle(field: FieldSpec, value: unknown, options: { int64: "number" | "string" }): Json {
    const type = field.type;
    if (INT64_TYPES.includes(type)) return options.int64 === "string" ? String(value) : Number(value);
    if (type === "double" || type === "float") {
      const number = value as number;
      if (Number.isNaN(number)) return "NaN";
      if (number === Infinity) return "Infinity";
      if (number === -Infinity) return "-Infinity";
      return number;
    }
    if (this.isScalar(type) || type in WELL_KNOWN || this.enums.has(type)) return value as Json;
    return this.toClientJson(type, value as Record<string, unknown>, options);
  }
}

const scalarOk = (type: Scalar, value: unknown): boolean => {
  if (type === "string") return typeof value === "string";
  if (type === "bool") return typeof value === "boolean";
  if (type === "double" || type === "float") {
    return (typeof value === "number" && Number.isFinite(value)) || value === "NaN" || value === "Infinity" || value === "-Infinity";
  }
  if (INTEGER_TYPES.includes(type)) {
    // The JSON mapping allows both numbers and decimal strings for every integer type.
    return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^-?\d+$/.test(value));
  }
  return false;
};

const jsonShapeOf = (type: Scalar): string =>
  type === "string" ? "a JSON string"
  : type === "bool" ? "a JSON boolean"
  : type === "double" || type === "float" ? 'a JSON number or "NaN"/"Infinity"/"-Infinity"'
  : "an integer (JSON number or decimal string)";

const describe = (value: unknown): string => {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return `${Array.isArray(value) ? "array" : value === null ? "null" : typeof value} ${shown}`;
};

/**
 * The query string the Python client sends for a GET: rest_utils.call_endpoint passes the message_to_json dict as
 * `params` to requests, which repeats the key for each element of a list and formats scalars with str().
 */
export const toQueryString = (json: JsonObject): string => {
  const query = new URLSearchParams();
  const text = (value: Json): string => (typeof value === "boolean" ? (value ? "True" : "False") : String(value));
  for (const [key, value] of Object.entries(json)) {
    if (value === null) continue;
    if (Array.isArray(value)) for (const item of value) query.append(key, text(item));
    else if (typeof value === "object") throw new Error(`test bug: ${key} is a message; GET requests carry scalars only`);
    else query.append(key, text(value));
  }
  return query.toString();
};

export const loadMlflowSchema = (): ProtoSchema => new ProtoSchema(JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as SchemaFile);

const readFixture = (name: string): SchemaFile =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/mlflow-protos/${name}`, import.meta.url)), "utf8")) as SchemaFile;

/**
 * Several transcriptions as one schema (e.g. the tracking schema for shared messages such as Metric and the
 * ErrorCode enum, plus the MLflow 3 logged-model or trace messages). A name defined twice must be defined alike.
 */
export const loadSchemaFiles = (...names: string[]): ProtoSchema => {
  const merged: SchemaFile = { origin: { repository: "mlflow/mlflow", files: {}, license: "Apache-2.0" }, enums: {}, messages: {}, services: {} };
  for (const name of names) {
    const file = readFixture(name);
    Object.assign(merged.origin.files, file.origin.files);
    for (const part of ["enums", "messages"] as const) {
      for (const [key, value] of Object.entries(file[part])) {
        const existing = merged[part][key];
        if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(value)) {
          throw new Error(`${key} is defined differently in ${name} and an earlier schema file`);
        }
        merged[part][key] = value as never;
      }
    }
    for (const [service, methods] of Object.entries(file.services)) merged.services[service] = { ...merged.services[service], ...methods };
  }
  return new ProtoSchema(merged);
};
