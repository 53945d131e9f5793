import { z } from "zod";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { type BatchJob, TERMINAL_STATUSES } from "@/types/batch";

/** `summary.cost` as `complete_batch` records it (functions/domain/pricing.py `Cost`, dumped by alias).
 * The document types `summary` as a free object, so the shape is checked here: a summary without a
 * well-formed cost (a cancelled batch, a batch finished before costs were recorded) shows "—". */
const money = z.number().finite().nonnegative();
const costSchema = z.object({
  currency: z.string().length(3),
  prices_as_of: z.iso.date(),
  region: z.string(),
  lambda: money,
  fargate: money,
  transcribe: money,
  step_functions: money,
  s3: money,
  total: money,
});
export type BatchCostFigures = z.infer<typeof costSchema>;

const SERVICES: { key: keyof BatchCostFigures & ("lambda" | "fargate" | "transcribe" | "step_functions" | "s3"); label: string }[] = [
  { key: "lambda", label: "Lambda" },
  { key: "fargate", label: "Fargate" },
  { key: "transcribe", label: "Transcribe" },
  { key: "step_functions", label: "Step Functions" },
  { key: "s3", label: "S3" },
];

export function costOf(summary: BatchJob["summary"]): BatchCostFigures | null {
  const parsed = costSchema.safeParse(summary?.cost);
  return parsed.success ? parsed.data : null;
}

/** Cents for a dollar or more; a batch's parts often cost fractions of a cent, so below a dollar up to
 * four decimals, and "< $0.0001" rather than a misleading $0.00 for a cost that is not zero. */
export function formatCost(amount: number, currency: string): string {
  const format = (value: number) =>
    new Intl.NumberFormat("en-US", {
      style: "currency",
      currency,
      minimumFractionDigits: 2,
      maximumFractionDigits: value < 1 ? 4 : 2,
    }).format(value);
  if (amount > 0 && amount < 0.0001) return `< ${format(0.0001)}`;
  return format(amount);
}

function formatDay(isoDate: string): string {
  return new Date(`${isoDate}T00:00:00Z`).toLocaleDateString("en-US", { dateStyle: "medium", timeZone: "UTC" });
}

/** The batch's cost at list prices, once it has finished; nothing while it runs. */
export function BatchCost({ batch }: { batch: Pick<BatchJob, "status" | "summary"> }) {
  if (!TERMINAL_STATUSES.includes(batch.status)) return null;
  const cost = costOf(batch.summary);
  return (
    <Card>
      <section aria-label="Cost">
        <CardHeader className="flex-row items-baseline justify-between gap-2 p-4 pb-2 sm:p-4 sm:pb-2">
          <CardTitle className="text-base">Cost</CardTitle>
          <span className="text-xl font-bold tabular-nums" aria-label={`Total cost: ${cost ? formatCost(cost.total, cost.currency) : "not recorded"}`}>
            {cost ? formatCost(cost.total, cost.currency) : "—"}
          </span>
        </CardHeader>
        <CardContent className="grid gap-2 p-4 pt-0 text-sm sm:p-4 sm:pt-0">
          {cost ? (
            <>
              <dl className="grid grid-cols-2 gap-x-4 gap-y-1 sm:grid-cols-5">
                {SERVICES.map(({ key, label }) => (
                  <div key={key} className="flex justify-between gap-2 sm:grid">
                    <dt className="text-muted-foreground">{label}</dt>
                    <dd className="tabular-nums">{formatCost(cost[key], cost.currency)}</dd>
                  </div>
                ))}
              </dl>
              <p className="text-muted-foreground">
                At {cost.region} list prices as of {formatDay(cost.prices_as_of)}, free tiers not deducted.
              </p>
            </>
          ) : (
            <p className="text-muted-foreground">No cost was recorded for this batch.</p>
          )}
        </CardContent>
      </section>
    </Card>
  );
}
