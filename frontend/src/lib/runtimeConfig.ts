/**
 * Where the web app finds the API, the WebSocket and its sign-in: `/config.json`, fetched once at start.
 * On AWS the CDK deployment writes it into the web bucket (infra/web.py) with the deploy-time URLs and
 * Cognito ids; locally `reelflow serve` answers it with its own URLs and `auth: "local"`.
 */
import { z } from "zod";

const cognitoSchema = z.object({
  region: z.string().min(1),
  userPoolId: z.string().min(1),
  clientId: z.string().min(1),
  domain: z.string().min(1),
  scopes: z.array(z.string()).default(["openid", "email", "profile"]),
});

const configSchema = z.discriminatedUnion("auth", [
  z.object({ auth: z.literal("local"), apiUrl: z.url(), webSocketUrl: z.string().regex(/^wss?:\/\//) }),
  z.object({
    auth: z.literal("cognito"),
    apiUrl: z.url(),
    webSocketUrl: z.string().regex(/^wss?:\/\//),
    cognito: cognitoSchema,
  }),
]);

export type RuntimeConfig = z.infer<typeof configSchema>;
export type CognitoConfig = z.infer<typeof cognitoSchema>;

/** Same-origin API and WebSocket with local sign-in: what `reelflow serve` and `npm run dev` give. */
export function localDefaults(location: Pick<Location, "origin" | "protocol" | "host"> = globalThis.location): RuntimeConfig {
  const socket = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
  return { auth: "local", apiUrl: location.origin, webSocketUrl: socket };
}

let current: RuntimeConfig | null = null;

export function runtimeConfig(): RuntimeConfig {
  return current ?? localDefaults();
}

export function setRuntimeConfig(config: RuntimeConfig | null): void {
  current = config;
}

/** Reads /config.json; a missing file means local defaults, a malformed one is an error worth showing. */
export async function loadRuntimeConfig(fetchImpl: typeof fetch = (...args) => globalThis.fetch(...args)): Promise<RuntimeConfig> {
  const response = await fetchImpl("/config.json", { cache: "no-store" });
  if (response.status === 404) {
    current = localDefaults();
    return current;
  }
  if (!response.ok) throw new Error(`/config.json: HTTP ${response.status}`);
  const parsed = configSchema.safeParse(await response.json());
  if (!parsed.success) throw new Error(`/config.json is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  current = { ...parsed.data, apiUrl: parsed.data.apiUrl.replace(/\/+$/, "") };
  return current;
}

/** An API path on the configured API origin (the same origin locally, API Gateway on AWS). */
export function apiUrl(path: string): string {
  return `${runtimeConfig().apiUrl}${path}`;
}
