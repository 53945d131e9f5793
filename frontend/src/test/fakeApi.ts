/**
 * An in-memory stand-in for the HTTP API behind `fetch`, for component tests: it records every
 * request and answers from handlers the test registers ("METHOD /path" with :params).
 *
 * It is as strict as the API: a request under /api/ must be an operation of docs/openapi.json with the
 * parameters and body the document allows (else it answers 422, as the API would), and every answer a
 * handler gives must be what the document says that operation answers. Each breach is recorded in
 * `violations`, and the test fails after it ends (test/setup.ts) unless it took them with `takeViolations`.
 */
import { operationFor, requestProblems, responseProblems, successStatus } from "./contract";

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}
type Handler = (request: Recorded, params: Record<string, string>) => unknown;

const live = new Set<FakeApi>();

/** Every contract breach of the fakes installed since the last call (test/setup.ts runs it after each test). */
export function drainViolations(): string[] {
  const found = [...live].flatMap((api) => api.takeViolations());
  live.clear();
  return found;
}

export class FakeApi {
  requests: Recorded[] = [];
  private violations: string[] = [];
  private routes: { method: string; pattern: RegExp; keys: string[]; handler: Handler }[] = [];

  on(route: string, handler: Handler | object): this {
    const [method, path] = route.split(" ") as [string, string];
    const keys: string[] = [];
    const pattern = new RegExp(
      `^${path.replace(/:([a-z_]+)/g, (_, key: string) => {
        keys.push(key);
        return "([^/]+)";
      })}$`,
    );
    const fn: Handler = typeof handler === "function" ? (handler as Handler) : () => handler;
    this.routes.unshift({ method, pattern, keys, handler: fn });
    return this;
  }

  calls(method: string, path: string | RegExp): Recorded[] {
    return this.requests.filter(
      (r) => r.method === method && (typeof path === "string" ? r.path === path : path.test(r.path)),
    );
  }

  /** The breaches seen so far, forgotten once taken (a test that provokes one on purpose takes it). */
  takeViolations(): string[] {
    return this.violations.splice(0);
  }

  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const text = await request.text();
    const recorded: Recorded = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      body: text ? JSON.parse(text) : undefined,
    };
    this.requests.push(recorded);
    const where = `${request.method} ${url.pathname}`;
    const contract = url.pathname.startsWith("/api/") ? operationFor(request.method, url.pathname) : null;
    if (url.pathname.startsWith("/api/")) {
      if (!contract) {
        this.violations.push(`${where}: no such operation in docs/openapi.json`);
        return Response.json({ error: "Not found", detail: `No route for ${where}` }, { status: 404 });
      }
      const refused = requestProblems(contract, url.searchParams, recorded.body);
      if (refused.length) {
        this.violations.push(`${where} sent what the API refuses: ${refused.join("; ")}`);
        return Response.json({ error: "Validation failed", detail: refused.join("; ") }, { status: 422 });
      }
    }
    for (const route of this.routes) {
      const match = route.method === request.method ? route.pattern.exec(url.pathname) : null;
      if (!match) continue;
      const params = Object.fromEntries(route.keys.map((key, i) => [key, decodeURIComponent(match[i + 1]!)]));
      let status: number;
      let body: unknown;
      try {
        const result = route.handler(recorded, params);
        if (result instanceof Response) {
          status = result.status;
          const answer = await result.text();
          body = answer ? JSON.parse(answer) : undefined;
        } else {
          status = contract ? successStatus(contract) : 200;
          body = result;
        }
      } catch (error) {
        status = 409;
        body = { error: "Conflict", detail: String((error as Error).message) };
      }
      if (contract) {
        const wrong = responseProblems(contract, status, body);
        if (wrong.length) this.violations.push(`${where} answered what the API never does: ${wrong.join("; ")}`);
      }
      if (status === 204 || body === undefined) return new Response(null, { status: status === 200 ? 204 : status });
      return Response.json(body, { status });
    }
    if (contract) return Response.json({ error: "Not found", detail: url.pathname }, { status: 404 });
    return Response.json({ error: "Not Found", detail: url.pathname }, { status: 404 });
  }

  install(): void {
    live.add(this);
    vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) =>
      this.handle(input instanceof Request ? input : new Request(new URL(String(input), "http://localhost"), init)),
    );
  }
}
