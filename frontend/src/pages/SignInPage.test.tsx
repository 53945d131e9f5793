import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { loadSession } from "@/lib/auth";
import { setRuntimeConfig } from "@/lib/runtimeConfig";
import { renderApp } from "@/test/render";
import { SignInPage } from "./SignInPage";

const cognito = {
  region: "eu-west-1",
  userPoolId: "eu-west-1_AAA",
  clientId: "client123",
  domain: "reelflow-prod-1.auth.eu-west-1.amazoncognito.com",
  scopes: ["openid", "email", "profile"],
};
const b64url = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

beforeEach(() => setRuntimeConfig({ auth: "cognito", apiUrl: "https://api.test", webSocketUrl: "wss://ws.test/live", cognito }));
afterEach(() => {
  setRuntimeConfig(null);
  window.history.replaceState(null, "", "/");
});

test("on AWS the page sends the user to Cognito's hosted UI, then trades the returned code for a session", async () => {
  const user = userEvent.setup();
  const assign = vi.fn();
  vi.stubGlobal("location", { ...window.location, origin: window.location.origin, search: "", assign });
  const first = renderApp(<SignInPage onSignedIn={() => {}} />);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
  await waitFor(() => expect(assign).toHaveBeenCalledOnce());
  const authorize = new URL(assign.mock.calls[0]![0] as string);
  expect(authorize.host).toBe(cognito.domain);
  expect(screen.queryByLabelText("User name")).toBeNull(); // no local plan picker on AWS
  first.unmount();
  vi.unstubAllGlobals();

  const state = authorize.searchParams.get("state")!;
  window.history.replaceState(null, "", `/?code=the-code&state=${state}`);
  const token = `${b64url({ alg: "none" })}.${b64url({ sub: "cog-user", "custom:tier": "creator" })}.sig`;
  const posted: string[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    posted.push(`${url} ${String(init.body)}`);
    return Response.json({ id_token: token });
  });
  const signedIn = vi.fn();
  renderApp(<SignInPage onSignedIn={signedIn} />);
  localStorage.removeItem("reelflow.session"); // renderApp signs a test user in; the page must write its own
  await waitFor(() => expect(signedIn).toHaveBeenCalledWith({ token, user_id: "cog-user", tier: "creator" }));
  expect(posted[0]).toMatch(new RegExp(`^https://${cognito.domain}/oauth2/token .*code=the-code`));
  expect(loadSession()?.user_id).toBe("cog-user");
  expect(window.location.search).toBe(""); // the code leaves the address bar
});
