import { Info } from "lucide-react";
import { Tooltip } from "@/components/ui/tooltip";

/** An (i) button next to a label; the explanation shows on hover and on keyboard focus. */
export function FieldHelp({ label, text }: { label: string; text: string }) {
  return (
    <Tooltip content={text}>
      <button
        type="button"
        className="inline-flex rounded-full text-muted-foreground focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
        aria-label={`About ${label}: ${text}`}
      >
        <Info className="size-4" aria-hidden />
      </button>
    </Tooltip>
  );
}
