/**
 * docs/openapi.json as a validator (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses): what the component
 * tests' fakes receive and answer is checked against the same document the API is generated from.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import document from "../../../docs/openapi.json";

type Json = Record<string, unknown>;
interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema: Json;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: { "application/json": { schema: Json } } };
  responses: Record<string, { content?: { "application/json"?: { schema: Json } } }>;
}
const DOC = "openapi";
const doc = document as unknown as { paths: Record<string, Record<string, Operation>>; components: Json };

function makeAjv(coerceTypes: boolean) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, coerceTypes });
  addFormats(ajv);
  ajv.addSchema({ $id: DOC, components: doc.components });
  return ajv;
}
const bodies = makeAjv(false);
const params = makeAjv(true); // a query or path parameter is text on the wire
const compiled = new Map<string, ValidateFunction>();

/** An inline schema of the document, its `#/components/…` references pointed at the document. */
function compile(ajv: Ajv2020, schema: Json, cacheKey: string): ValidateFunction {
  const key = `${ajv === params ? "p" : "b"}:${cacheKey}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${DOC}#/components/`)));
    compiled.set(key, validate);
  }
  return validate;
}

const describe = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message ?? ""}`.trim()).join("; ");

/** Problems with `value` as the named component schema (empty when it conforms). */
export function problemsAs(component: string, value: unknown): string[] {
  const validate = compile(bodies, { $ref: `#/components/schemas/${component}` }, component);
  return validate(value) ? [] : [`not a valid ${component}: ${describe(validate.errors)}`];
}

/** A value that must conform to the named component schema (fixtures check themselves with it). */
export function conforming<T>(component: string, value: T): T {
  const problems = problemsAs(component, value);
  if (problems.length) throw new Error(problems.join("\n"));
  return value;
}

export interface Matched {
  template: string;
  method: string;
  operation: Operation;
  pathParams: Record<string, string>;
}

/** The documented operation a request is for, or null when the document has none. */
export function operationFor(method: string, path: string): Matched | null {
  for (const [template, operations] of Object.entries(doc.paths)) {
    const names: string[] = [];
    const pattern = new RegExp(
      `^${template.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
        names.push(name);
        return "([^/]+)";
      })}$`,
    );
    const match = pattern.exec(path);
    const operation = operations[method.toLowerCase()];
    if (match && operation) {
      const pathParams = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
      return { template, method, operation, pathParams };
    }
  }
  return null;
}

/** What the API would refuse in this request (empty when it conforms). */
export function requestProblems(matched: Matched, query: URLSearchParams, body: unknown): string[] {
  const { operation, template, method, pathParams } = matched;
  const problems: string[] = [];
  const declared = operation.parameters ?? [];
  for (const parameter of declared) {
    const raw = parameter.in === "path" ? pathParams[parameter.name] : parameter.in === "query" ? query.get(parameter.name) : undefined;
    if (parameter.in === "header") continue;
    if (raw === null || raw === undefined) {
      if (parameter.required) problems.push(`${parameter.in} parameter ${parameter.name} is required`);
      continue;
    }
    const holder = { value: raw };
    const validate = compile(params, { type: "object", properties: { value: parameter.schema } }, `${method} ${template} ${parameter.name}`);
    if (!validate(holder)) problems.push(`${parameter.in} parameter ${parameter.name}=${raw}: ${describe(validate.errors)}`);
  }
  for (const name of query.keys()) {
    if (!declared.some((p) => p.in === "query" && p.name === name)) problems.push(`query parameter ${name} is not documented`);
  }
  const schema = operation.requestBody?.content["application/json"].schema;
  if (!schema) {
    if (body !== undefined) problems.push("this operation takes no body");
  } else if (body === undefined) {
    if (operation.requestBody?.required) problems.push("a body is required");
  } else {
    const validate = compile(bodies, schema, `${method} ${template} body`);
    if (!validate(body)) problems.push(`body: ${describe(validate.errors)}`);
  }
  return problems;
}

/** The status of the operation's success (201 for a create, 204 for a delete, …). */
export function successStatus(matched: Matched): number {
  return Number(Object.keys(matched.operation.responses).find((code) => code.startsWith("2")) ?? 200);
}

/** What the API never answers in this response (empty when it conforms). */
export function responseProblems(matched: Matched, status: number, body: unknown): string[] {
  const documented = matched.operation.responses[String(status)];
  if (!documented) return [`status ${status} is not documented for ${matched.method} ${matched.template}`];
  const schema = documented.content?.["application/json"]?.schema;
  if (!schema) return body === undefined || body === null ? [] : [`status ${status} has no body`];
  if (status === 204) return body === undefined || body === null ? [] : ["a 204 has no body"];
  const validate = compile(bodies, schema, `${matched.method} ${matched.template} ${status}`);
  return validate(body) ? [] : [`response ${status}: ${describe(validate.errors)}`];
}

function resolve(schema: Json): Json {
  let current = schema;
  while (typeof current.$ref === "string") {
    const path = current.$ref.replace("#/", "").split("/");
    current = path.reduce<Json>((node, part) => node[part] as Json, doc as unknown as Json);
  }
  return current;
}

/** The plainest value a schema allows: its default, its first enum value or constant, null where it may be
 * null, else an empty value of its type with every required property filled the same way. */
export function sampleOf(schema: Json): unknown {
  if ("default" in schema) return schema.default; // a $ref's sibling default wins over the referenced schema
  const s = resolve(schema);
  if ("default" in s) return s.default;
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  for (const key of ["anyOf", "oneOf"] as const) {
    const options = s[key] as Json[] | undefined;
    if (options) {
      const nullable = options.find((o) => o.type === "null");
      return nullable ? null : sampleOf(options[0]!);
    }
  }
  switch (s.type) {
    case "object": {
      const properties = (s.properties ?? {}) as Record<string, Json>;
      const required = (s.required ?? []) as string[];
      const wanted = Object.keys(properties).filter((name) => required.includes(name) || "default" in properties[name]!);
      return Object.fromEntries(wanted.map((name) => [name, sampleOf(properties[name]!)]));
    }
    case "array":
      return [];
    case "string":
      return s.format === "date-time" ? "2026-01-01T10:00:00Z" : "x".repeat(Number(s.minLength ?? 1));
    case "integer":
    case "number":
      return Number(s.minimum ?? (s.exclusiveMinimum !== undefined ? Number(s.exclusiveMinimum) + 1 : 0));
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return null;
  }
}

/** A value of the named component: the schema's plainest value with `overrides`, checked against it. */
export function build<T>(component: string, overrides: Partial<T> = {}): T {
  const base = sampleOf({ $ref: `#/components/schemas/${component}` }) as T;
  return conforming(component, { ...base, ...overrides });
}
