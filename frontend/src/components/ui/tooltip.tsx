import { Tooltip as T } from "radix-ui";
import type * as React from "react";
import { cn } from "@/lib/utils";

export const TooltipProvider = T.Provider;

/** A tooltip on any focusable trigger (keyboard users get it on focus). */
export function Tooltip({ content, children }: { content: React.ReactNode; children: React.ReactNode }) {
  return (
    <T.Root>
      <T.Trigger asChild>{children}</T.Trigger>
      <T.Portal>
        <T.Content
          sideOffset={4}
          className={cn("z-50 max-w-xs rounded-md bg-foreground px-3 py-1.5 text-xs text-background shadow-md")}
        >
          {content}
        </T.Content>
      </T.Portal>
    </T.Root>
  );
}
