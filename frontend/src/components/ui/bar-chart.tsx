/** A small bar chart in plain SVG (oldest on the left), with its figures for screen readers. */
import { cn } from "@/lib/utils";

export interface Bar {
  label: string;
  value: number | null;
}

interface BarChartProps {
  title: string;
  bars: Bar[];
  format: (value: number) => string;
  max?: number;
  className?: string;
}

export function BarChart({ title, bars, format, max, className }: BarChartProps) {
  const top = max ?? Math.max(1, ...bars.map((b) => b.value ?? 0));
  const width = 100 / Math.max(1, bars.length);
  const summary = bars.map((b) => `${b.label}: ${b.value == null ? "no data" : format(b.value)}`).join(", ");
  return (
    <figure className={cn("grid gap-2 rounded-lg border border-border p-3", className)}>
      <figcaption className="text-sm font-semibold">{title}</figcaption>
      <svg viewBox="0 0 100 40" preserveAspectRatio="none" className="h-28 w-full" role="img" aria-label={`${title}. ${summary}`}>
        <line x1="0" y1="40" x2="100" y2="40" className="stroke-border" strokeWidth="0.5" />
        {bars.map((bar, i) => {
          const height = bar.value == null ? 0 : (bar.value / top) * 38;
          return (
            <rect
              key={bar.label}
              x={i * width + width * 0.15}
              y={40 - height}
              width={width * 0.7}
              height={height}
              rx="0.8"
              className="fill-primary"
            >
              <title>{`${bar.label}: ${bar.value == null ? "no data" : format(bar.value)}`}</title>
            </rect>
          );
        })}
      </svg>
      <div className="flex justify-between gap-1 text-[0.7rem] text-muted-foreground" aria-hidden>
        <span>{bars[0]?.label}</span>
        <span>{bars.at(-1)?.label}</span>
      </div>
    </figure>
  );
}
