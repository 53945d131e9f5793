import { Checkbox as C, Collapsible as Co, Label as L, RadioGroup as R } from "radix-ui";
import { Check } from "lucide-react";
import * as React from "react";
import { cn } from "@/lib/utils";

const field =
  "flex w-full rounded-md border border-border bg-background px-3 py-2 text-sm placeholder:text-muted-foreground focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring disabled:opacity-50";

export const Input = React.forwardRef<HTMLInputElement, React.InputHTMLAttributes<HTMLInputElement>>(
  ({ className, ...props }, ref) => <input ref={ref} className={cn(field, "h-10", className)} {...props} />,
);
Input.displayName = "Input";

export const Textarea = React.forwardRef<HTMLTextAreaElement, React.TextareaHTMLAttributes<HTMLTextAreaElement>>(
  ({ className, ...props }, ref) => <textarea ref={ref} className={cn(field, "min-h-20", className)} {...props} />,
);
Textarea.displayName = "Textarea";

/** A native select: keyboard and screen-reader behaviour for free, styled like the rest. */
export const Select = React.forwardRef<HTMLSelectElement, React.SelectHTMLAttributes<HTMLSelectElement>>(
  ({ className, ...props }, ref) => <select ref={ref} className={cn(field, "h-10", className)} {...props} />,
);
Select.displayName = "Select";

export function Label({ className, ...props }: React.ComponentProps<typeof L.Root>) {
  return <L.Root className={cn("text-sm font-medium leading-none", className)} {...props} />;
}

export function Checkbox({ className, ...props }: React.ComponentProps<typeof C.Root>) {
  return (
    <C.Root
      className={cn(
        "peer size-4 shrink-0 rounded-sm border border-primary focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-2 disabled:opacity-50 data-[state=checked]:bg-primary data-[state=checked]:text-primary-foreground",
        className,
      )}
      {...props}
    >
      <C.Indicator className="flex items-center justify-center">
        <Check className="size-3.5" aria-hidden />
      </C.Indicator>
    </C.Root>
  );
}

export const RadioGroup = ({ className, ...props }: React.ComponentProps<typeof R.Root>) => (
  <R.Root className={cn("grid gap-2", className)} {...props} />
);
export function RadioGroupItem({ className, ...props }: React.ComponentProps<typeof R.Item>) {
  return (
    <R.Item
      className={cn(
        "aspect-square size-4 rounded-full border border-primary focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-2",
        className,
      )}
      {...props}
    >
      <R.Indicator className="flex items-center justify-center after:block after:size-2 after:rounded-full after:bg-primary" />
    </R.Item>
  );
}

export const Collapsible = Co.Root;
export const CollapsibleTrigger = Co.Trigger;
export const CollapsibleContent = Co.Content;
