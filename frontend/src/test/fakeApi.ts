/**
 * An in-memory stand-in for the HTTP API behind `fetch`, for component tests: it records every
 * request and answers from handlers the test registers ("METHOD /path" with :params).
 */
export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}
type Handler = (request: Recorded, params: Record<string, string>) => unknown;

export class FakeApi {
  requests: Recorded[] = [];
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

  install(): void {
    vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(new URL(String(input), "http://localhost"), init);
      const url = new URL(request.url);
      const text = await request.text();
      const recorded: Recorded = {
        method: request.method,
        path: url.pathname,
        query: url.searchParams,
        body: text ? JSON.parse(text) : undefined,
      };
      this.requests.push(recorded);
      for (const route of this.routes) {
        const match = route.method === request.method ? route.pattern.exec(url.pathname) : null;
        if (!match) continue;
        const params = Object.fromEntries(route.keys.map((key, i) => [key, decodeURIComponent(match[i + 1]!)]));
        try {
          const result = route.handler(recorded, params);
          if (result instanceof Response) return result;
          if (result === undefined) return new Response(null, { status: 204 });
          return Response.json(result);
        } catch (error) {
          return Response.json({ error: "Conflict", detail: String((error as Error).message) }, { status: 409 });
        }
      }
      return Response.json({ error: "Not Found", detail: url.pathname }, { status: 404 });
    });
  }
}
