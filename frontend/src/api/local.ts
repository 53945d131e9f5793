/**
 * The local-only routes of `reelflow serve` (reelflow/local/webapp.py): sign-in helpers that stand in for
 * Cognito. They are not part of the API (docs/openapi.json); every API call goes through ./client.ts.
 */
import type { Plan } from "@/types/batch";
import { request } from "./http";

export const listPlans = () => request<{ plans: Plan[] }>("GET", "/local/plans").then((r) => r.plans);
export const mintLocalToken = (user_id: string, tier: string) =>
  request<{ token: string; user_id: string; tier: Plan["tier"] }>("POST", "/local/token", { user_id, tier });
