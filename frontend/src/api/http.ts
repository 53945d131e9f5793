/** A small fetch wrapper for the local-only routes of `reelflow serve` (not the API: see ./client.ts). */
import { authHeader } from "@/lib/auth";
import { errorFrom } from "./errors";

export async function request<T>(method: "GET" | "POST", path: `/local/${string}`, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { ...authHeader() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) throw await errorFrom(response);
  return (await response.json()) as T;
}
