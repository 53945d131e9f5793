import { getBatchJobs } from "@/api/client";
import { defaultSocketUrl } from "@/api/progress";
import { FakeApi } from "@/test/fakeApi";
import { apiUrl, loadRuntimeConfig, localDefaults, runtimeConfig, setRuntimeConfig } from "./runtimeConfig";

const deployed = {
  auth: "cognito",
  apiUrl: "https://abc.execute-api.eu-west-1.amazonaws.com/",
  webSocketUrl: "wss://def.execute-api.eu-west-1.amazonaws.com/live",
  cognito: {
    region: "eu-west-1",
    userPoolId: "eu-west-1_AAA",
    clientId: "client123",
    domain: "reelflow-prod-1.auth.eu-west-1.amazoncognito.com",
    scopes: ["openid", "email", "profile"],
  },
};

afterEach(() => setRuntimeConfig(null));

test("reads /config.json at start: the API, the WebSocket and the Cognito ids of the deployment", async () => {
  const api = new FakeApi().on("GET /config.json", deployed);
  api.install();
  const config = await loadRuntimeConfig();
  expect(config.auth).toBe("cognito");
  expect(runtimeConfig().apiUrl).toBe("https://abc.execute-api.eu-west-1.amazonaws.com"); // no trailing slash
  expect(apiUrl("/api/usage")).toBe("https://abc.execute-api.eu-west-1.amazonaws.com/api/usage");
  expect(defaultSocketUrl()).toBe(deployed.webSocketUrl);
  expect(api.calls("GET", "/config.json")).toHaveLength(1);
});

test("the typed client calls the configured API origin", async () => {
  setRuntimeConfig({ auth: "local", apiUrl: "http://api.test:9000", webSocketUrl: "ws://api.test:9000/ws" });
  const seen: string[] = [];
  vi.stubGlobal("fetch", async (request: Request) => {
    seen.push(request.url);
    return Response.json({ batch_jobs: [], total: 0, limit: 20, offset: 0 });
  });
  await getBatchJobs({ status: "completed" });
  expect(seen).toEqual(["http://api.test:9000/api/batch-jobs?status=completed"]);
});

test("local serve's answer means local sign-in on the same origin; no file means the same", async () => {
  new FakeApi().on("GET /config.json", { auth: "local", apiUrl: "http://localhost:8000", webSocketUrl: "ws://localhost:8000/ws" }).install();
  expect((await loadRuntimeConfig()).auth).toBe("local");
  new FakeApi().on("GET /config.json", () => new Response("", { status: 404 })).install();
  expect(await loadRuntimeConfig()).toEqual(localDefaults());
  expect(localDefaults({ origin: "https://x.test", protocol: "https:", host: "x.test" }).webSocketUrl).toBe("wss://x.test/ws");
});

test("a malformed config is an error that names the field, not a silent fallback", async () => {
  new FakeApi().on("GET /config.json", { ...deployed, cognito: { ...deployed.cognito, clientId: "" } }).install();
  await expect(loadRuntimeConfig()).rejects.toThrow(/cognito\.clientId/);
});
