import { useQuery } from "@tanstack/react-query";
import * as React from "react";
import { getUsage } from "@/api/client";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { BarChart } from "@/components/ui/bar-chart";
import { PlanCard } from "./PlanCard";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import type { UsagePeriod, UsagePeriodKind as Period } from "@/types/batch";

const rate = (row: UsagePeriod) => (row.success_rate == null ? "—" : `${Math.round(row.success_rate * 100)}%`);

export function UsagePage() {
  const [period, setPeriod] = React.useState<Period>("week");
  const usage = useQuery({ queryKey: ["usage", period], queryFn: () => getUsage(period) });
  return (
    <div className="grid gap-4">
      <h1 className="text-2xl font-bold">Usage</h1>
      <Tabs value={period} onValueChange={(v) => setPeriod(v as Period)}>
        <TabsList aria-label="Period">
          <TabsTrigger value="day">Daily</TabsTrigger>
          <TabsTrigger value="week">Weekly</TabsTrigger>
          <TabsTrigger value="month">Monthly</TabsTrigger>
        </TabsList>
        {(["day", "week", "month"] as const).map((value) => (
          <TabsContent key={value} value={value} className="grid gap-4 pt-2">
            {value === period && (
              <>
                {usage.isLoading && <Skeleton className="h-32" />}
                {usage.error && (
                  <Alert variant="warning">
                    <AlertDescription>Usage is not available yet: {(usage.error as Error).message}</AlertDescription>
                  </Alert>
                )}
                {usage.data && <UsageCharts periods={usage.data.periods} />}
                {usage.data && (
                  <Table aria-label="Usage per period">
                    <TableHeader>
                      <TableRow>
                        <TableHead>Period</TableHead>
                        <TableHead>Batches</TableHead>
                        <TableHead>Videos</TableHead>
                        <TableHead>Minutes</TableHead>
                        <TableHead>Success rate</TableHead>
                      </TableRow>
                    </TableHeader>
                    <TableBody>
                      {[...usage.data.periods, usage.data.total].map((row) => (
                        <TableRow key={row.period} className={row === usage.data.total ? "font-semibold" : undefined}>
                          <TableCell>{row === usage.data.total ? "Total" : row.period}</TableCell>
                          <TableCell className="tabular-nums">{row.batches}</TableCell>
                          <TableCell className="tabular-nums">{row.videos_processed}</TableCell>
                          <TableCell className="tabular-nums">{row.minutes_processed.toFixed(1)}</TableCell>
                          <TableCell className="tabular-nums">{rate(row)}</TableCell>
                        </TableRow>
                      ))}
                    </TableBody>
                  </Table>
                )}
              </>
            )}
          </TabsContent>
        ))}
      </Tabs>
      {usage.data && <PlanCard tier={usage.data.tier} plan={usage.data.plan} />}
    </div>
  );
}

function UsageCharts({ periods }: { periods: UsagePeriod[] }) {
  const oldestFirst = [...periods].reverse();
  const bars = (value: (row: UsagePeriod) => number | null) => oldestFirst.map((row) => ({ label: row.period, value: value(row) }));
  return (
    <div className="grid gap-3 md:grid-cols-3">
      <BarChart title="Videos processed" bars={bars((r) => r.videos_processed)} format={(v) => `${v} videos`} />
      <BarChart title="Minutes processed" bars={bars((r) => r.minutes_processed)} format={(v) => `${v.toFixed(1)} min`} />
      <BarChart
        title="Success rate"
        bars={bars((r) => (r.success_rate == null ? null : Math.round(r.success_rate * 100)))}
        format={(v) => `${v}%`}
        max={100}
      />
    </div>
  );
}
