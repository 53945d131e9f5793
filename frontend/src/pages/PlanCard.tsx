import { useQuery } from "@tanstack/react-query";
import { getBatchJobs } from "@/api/client";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { Usage } from "@/types/batch";

/** The plan's limits and what is left of them now: running batches and this hour's creations. */
export function PlanCard({ tier, plan }: { tier: Usage["tier"]; plan: Usage["plan"] }) {
  const running = useQuery({
    queryKey: ["batch-jobs", "processing", "count"],
    queryFn: () => getBatchJobs({ status: "processing", limit: 1 }),
  });
  const runningNow = running.data?.total;
  const rows: [string, string, string][] = [
    ["Videos per batch", String(plan.max_videos_per_batch), "per batch"],
    ["Videos processed at once", String(plan.videos_in_flight), "per batch"],
    [
      "Batches processing at once",
      String(plan.running_batches),
      runningNow == null ? "…" : `${Math.max(0, plan.running_batches - runningNow)} left (${runningNow} running)`,
    ],
    [
      "New batches per hour",
      plan.batch_creations_per_hour == null ? "No limit" : String(plan.batch_creations_per_hour),
      plan.batch_creations_left == null
        ? `${plan.batches_created_last_hour} this hour`
        : `${plan.batch_creations_left} left this hour`,
    ],
  ];
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          Your plan: <span className="capitalize">{tier}</span>
        </CardTitle>
        <CardDescription>What the plan allows and what is left of it now.</CardDescription>
      </CardHeader>
      <CardContent>
        <dl className="grid gap-3 sm:grid-cols-2">
          {rows.map(([name, limit, left]) => (
            <div key={name} className="grid gap-0.5 rounded-md bg-muted p-3">
              <dt className="text-sm text-muted-foreground">{name}</dt>
              <dd className="text-lg font-semibold tabular-nums">{limit}</dd>
              <dd className="text-sm">{left}</dd>
            </div>
          ))}
        </dl>
      </CardContent>
    </Card>
  );
}
