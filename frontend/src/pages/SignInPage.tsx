import { useQuery } from "@tanstack/react-query";
import * as React from "react";
import { listPlans, mintLocalToken } from "@/api/local";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Label, RadioGroup, RadioGroupItem } from "@/components/ui/form";
import { type Session, saveSession } from "@/lib/auth";
import { authorizeUrl, completeSignIn } from "@/lib/cognito";
import { type CognitoConfig, runtimeConfig } from "@/lib/runtimeConfig";

/** Cognito's hosted UI on AWS (per /config.json); locally, a plan picker and a token from the gateway. */
export function SignInPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const config = runtimeConfig();
  if (config.auth === "cognito") return <CognitoSignIn config={config.cognito} onSignedIn={onSignedIn} />;
  return <LocalSignIn onSignedIn={onSignedIn} />;
}

function CognitoSignIn({ config, onSignedIn }: { config: CognitoConfig; onSignedIn: (session: Session) => void }) {
  const returning = new URLSearchParams(globalThis.location.search).has("code");
  const [error, setError] = React.useState<string | null>(null);
  React.useEffect(() => {
    if (!returning) return;
    completeSignIn(config, globalThis.location.search)
      .then((session) => {
        globalThis.history.replaceState(null, "", "/");
        if (!session) return;
        saveSession(session);
        onSignedIn(session);
      })
      .catch((caught: Error) => setError(caught.message));
  }, [config, returning, onSignedIn]);

  return (
    <main className="mx-auto grid min-h-screen max-w-lg content-center p-4">
      <Card>
        <CardHeader>
          <h1 className="text-2xl font-bold">reelflow</h1>
          <CardTitle className="text-base">Sign in</CardTitle>
          <CardDescription>Your account and plan are managed by reelflow's Cognito user pool.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          {error && (
            <Alert variant="destructive">
              <AlertDescription>{error}</AlertDescription>
            </Alert>
          )}
          <Button
            disabled={returning && !error}
            onClick={async () => globalThis.location.assign(await authorizeUrl(config))}
          >
            {returning && !error ? "Signing in…" : "Sign in"}
          </Button>
        </CardContent>
      </Card>
    </main>
  );
}

function LocalSignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const plans = useQuery({ queryKey: ["plans"], queryFn: listPlans });
  const [userId, setUserId] = React.useState("alice");
  const [tier, setTier] = React.useState("creator");
  const [error, setError] = React.useState<string | null>(null);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const minted = await mintLocalToken(userId.trim(), tier);
      const session: Session = { token: minted.token, user_id: minted.user_id, tier: minted.tier };
      saveSession(session);
      onSignedIn(session);
    } catch (caught) {
      setError((caught as Error).message);
    }
  }

  return (
    <main className="mx-auto grid min-h-screen max-w-lg content-center p-4">
      <Card>
        <CardHeader>
          <h1 className="text-2xl font-bold">reelflow</h1>
          <CardTitle className="text-base">Sign in (local mode)</CardTitle>
          <CardDescription>Choose a user name and a plan; the local gateway mints a token for them.</CardDescription>
        </CardHeader>
        <CardContent>
          <form className="grid gap-4" onSubmit={submit}>
            <div className="grid gap-1.5">
              <Label htmlFor="user-id">User name</Label>
              <Input id="user-id" value={userId} onChange={(e) => setUserId(e.target.value)} required maxLength={64} autoComplete="username" />
            </div>
            <fieldset className="grid gap-2">
              <legend className="mb-1 text-sm font-medium">Plan</legend>
              <RadioGroup value={tier} onValueChange={setTier} aria-label="Plan">
                {(plans.data ?? []).map((plan) => (
                  <div key={plan.tier} className="flex items-start gap-2 rounded-md border border-border p-3">
                    <RadioGroupItem value={plan.tier} id={`plan-${plan.tier}`} className="mt-0.5" />
                    <Label htmlFor={`plan-${plan.tier}`} className="grid gap-1">
                      <span className="capitalize">{plan.tier}</span>
                      <span className="text-xs font-normal text-muted-foreground">
                        {plan.max_videos_per_batch} videos per batch · {plan.videos_in_flight} at once ·{" "}
                        {plan.running_batches} running batch{plan.running_batches === 1 ? "" : "es"}
                        {plan.batch_creations_per_hour ? ` · ${plan.batch_creations_per_hour} batches per hour` : ""}
                      </span>
                    </Label>
                  </div>
                ))}
              </RadioGroup>
            </fieldset>
            {(error || plans.error) && (
              <Alert variant="destructive">
                <AlertDescription>{error ?? "Local sign-in is only available on `reelflow serve`."}</AlertDescription>
              </Alert>
            )}
            <Button type="submit" disabled={!userId.trim()}>
              Sign in
            </Button>
          </form>
        </CardContent>
      </Card>
    </main>
  );
}
