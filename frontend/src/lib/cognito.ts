/**
 * Sign-in through Cognito's hosted UI with the authorization code flow and PKCE (a public client: the
 * browser holds no secret). The ID token carries `sub` and `custom:tier`, which the API reads.
 */
import type { Session } from "./auth";
import type { CognitoConfig } from "./runtimeConfig";

const PENDING = "reelflow.pkce";

function base64url(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomToken(size = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(size)));
}

export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export function redirectUri(location: Pick<Location, "origin"> = globalThis.location): string {
  return `${location.origin}/`;
}

/** The hosted UI's authorize URL; the verifier and state wait in sessionStorage for the way back. */
export async function authorizeUrl(config: CognitoConfig): Promise<string> {
  const verifier = randomToken(48);
  const state = randomToken(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: config.scopes.join(" "),
    state,
    code_challenge: await codeChallenge(verifier),
    code_challenge_method: "S256",
  });
  return `https://${config.domain}/oauth2/authorize?${query}`;
}

export function claimsOf(idToken: string): Record<string, unknown> {
  const payload = idToken.split(".")[1] ?? "";
  const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
  return JSON.parse(decodeURIComponent(escape(json))) as Record<string, unknown>;
}

/** On the way back from the hosted UI (`?code=…&state=…`): trade the code for tokens. Null if not a return. */
export async function completeSignIn(
  config: CognitoConfig,
  search: string,
  fetchImpl: typeof fetch = (...args) => globalThis.fetch(...args),
): Promise<Session | null> {
  const params = new URLSearchParams(search);
  const code = params.get("code");
  if (!code) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? "null") as { verifier: string; state: string } | null;
  sessionStorage.removeItem(PENDING);
  if (!pending || pending.state !== params.get("state")) throw new Error("Sign-in was not started here (state mismatch): sign in again.");
  const response = await fetchImpl(`https://${config.domain}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: config.clientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }).toString(),
  });
  if (!response.ok) throw new Error(`Sign-in failed: HTTP ${response.status}`);
  const tokens = (await response.json()) as { id_token: string };
  const claims = claimsOf(tokens.id_token);
  const tier = String(claims["custom:tier"] ?? "free");
  return {
    token: tokens.id_token,
    user_id: String(claims.sub),
    tier: (["free", "creator", "pro"].includes(tier) ? tier : "free") as Session["tier"],
  };
}

export function signOutUrl(config: CognitoConfig): string {
  const query = new URLSearchParams({ client_id: config.clientId, logout_uri: redirectUri() });
  return `https://${config.domain}/logout?${query}`;
}
