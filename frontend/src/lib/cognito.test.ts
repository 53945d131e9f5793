import { authorizeUrl, claimsOf, codeChallenge, completeSignIn, signOutUrl } from "./cognito";

const config = {
  region: "eu-west-1",
  userPoolId: "eu-west-1_AAA",
  clientId: "client123",
  domain: "reelflow-prod-1.auth.eu-west-1.amazoncognito.com",
  scopes: ["openid", "email", "profile"],
};

const b64url = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
const idToken = (claims: object) => `${b64url({ alg: "RS256" })}.${b64url(claims)}.signature`;

test("PKCE: the challenge is the SHA-256 of the verifier (RFC 7636 appendix B)", async () => {
  expect(await codeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
});

test("signs in through the hosted UI and trades the code, with the stored verifier, for a session", async () => {
  const url = new URL(await authorizeUrl(config));
  expect(url.origin + url.pathname).toBe(`https://${config.domain}/oauth2/authorize`);
  expect(url.searchParams.get("code_challenge_method")).toBe("S256");
  expect(url.searchParams.get("redirect_uri")).toBe(`${location.origin}/`);
  expect(url.searchParams.get("scope")).toBe("openid email profile");
  const state = url.searchParams.get("state")!;

  const posted: URLSearchParams[] = [];
  const fetchImpl = (async (_url: string, init: RequestInit) => {
    posted.push(new URLSearchParams(String(init.body)));
    return Response.json({ id_token: idToken({ sub: "user-42", "custom:tier": "pro" }) });
  }) as unknown as typeof fetch;
  const session = await completeSignIn(config, `?code=abc&state=${state}`, fetchImpl);
  expect(session).toMatchObject({ user_id: "user-42", tier: "pro" });
  const sent = posted[0]!;
  expect(sent.get("grant_type")).toBe("authorization_code");
  expect(await codeChallenge(sent.get("code_verifier")!)).toBe(url.searchParams.get("code_challenge"));
  expect(claimsOf(session!.token).sub).toBe("user-42");
  await expect(completeSignIn(config, `?code=abc&state=${state}`, fetchImpl)).rejects.toThrow(/state/); // used once
});

test("a forged state is refused, a plain visit is not a return, and sign-out goes through Cognito", async () => {
  await authorizeUrl(config);
  await expect(completeSignIn(config, "?code=abc&state=forged")).rejects.toThrow(/state mismatch/);
  expect(await completeSignIn(config, "")).toBeNull();
  expect(signOutUrl(config)).toContain(`https://${config.domain}/logout?client_id=client123`);
});
