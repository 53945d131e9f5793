/** The signed-in user: a bearer token (local: minted by the gateway; AWS: Cognito's ID token). */
export interface Session {
  token: string;
  user_id: string;
  tier: "free" | "creator" | "pro";
}

const KEY = "reelflow.session";

export function loadSession(): Session | null {
  const raw = localStorage.getItem(KEY);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as Session;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  localStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  localStorage.removeItem(KEY);
}

export function authHeader(): Record<string, string> {
  const session = loadSession();
  return session ? { Authorization: `Bearer ${session.token}` } : {};
}
