/** Radix Select and Slider, styled like the rest of the form (the settings form's choices and threshold). */
import { Check, ChevronDown } from "lucide-react";
import { Select as S, Slider as Sl } from "radix-ui";
import type * as React from "react";
import { cn } from "@/lib/utils";

export interface Choice {
  value: string;
  label: string;
}

export interface ChoiceGroup {
  label: string;
  choices: readonly Choice[];
}

interface ChoiceSelectProps {
  id: string;
  value: string;
  onValueChange: (value: string) => void;
  /** Flat choices, or labelled groups of them. */
  choices: readonly Choice[] | readonly ChoiceGroup[];
  placeholder?: string;
  disabled?: boolean;
  className?: string;
  "aria-describedby"?: string;
}

const isGroups = (choices: readonly Choice[] | readonly ChoiceGroup[]): choices is readonly ChoiceGroup[] =>
  choices.length > 0 && "choices" in choices[0]!;

export function ChoiceSelect({ id, value, onValueChange, choices, placeholder, disabled, className, ...aria }: ChoiceSelectProps) {
  const groups = isGroups(choices) ? choices : [{ label: "", choices }];
  return (
    <S.Root value={value} onValueChange={onValueChange} disabled={disabled}>
      <S.Trigger
        id={id}
        className={cn(
          "flex h-10 w-full items-center justify-between gap-2 rounded-md border border-border bg-background px-3 py-2 text-left text-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring disabled:opacity-50 data-[placeholder]:text-muted-foreground",
          className,
        )}
        {...aria}
      >
        <S.Value placeholder={placeholder} />
        <S.Icon>
          <ChevronDown className="size-4 opacity-60" aria-hidden />
        </S.Icon>
      </S.Trigger>
      <S.Portal>
        <S.Content
          position="popper"
          sideOffset={4}
          className="z-50 max-h-[var(--radix-select-content-available-height)] min-w-[var(--radix-select-trigger-width)] overflow-hidden rounded-md border border-border bg-background shadow-md"
        >
          <S.Viewport className="p-1">
            {groups.map((group) =>
              group.label ? (
                <S.Group key={group.label}>
                  <S.Label className="px-2 py-1 text-xs font-semibold text-muted-foreground">{group.label}</S.Label>
                  {group.choices.map((choice) => (
                    <ChoiceItem key={choice.value} choice={choice} />
                  ))}
                </S.Group>
              ) : (
                group.choices.map((choice) => <ChoiceItem key={choice.value} choice={choice} />)
              ),
            )}
          </S.Viewport>
        </S.Content>
      </S.Portal>
    </S.Root>
  );
}

function ChoiceItem({ choice }: { choice: Choice }) {
  return (
    <S.Item
      value={choice.value}
      className="relative flex cursor-default select-none items-center rounded-sm py-1.5 pl-7 pr-2 text-sm outline-none data-[highlighted]:bg-muted data-[disabled]:opacity-50"
    >
      <S.ItemIndicator className="absolute left-2 inline-flex items-center">
        <Check className="size-4" aria-hidden />
      </S.ItemIndicator>
      <S.ItemText>{choice.label}</S.ItemText>
    </S.Item>
  );
}

export function Slider({ className, ...props }: React.ComponentProps<typeof Sl.Root> & { "aria-labelledby"?: string; "aria-valuetext"?: string }) {
  const { "aria-labelledby": labelledBy, "aria-valuetext": valueText, ...root } = props;
  return (
    <Sl.Root className={cn("relative flex h-5 w-full touch-none select-none items-center data-[disabled]:opacity-50", className)} {...root}>
      <Sl.Track className="relative h-1.5 grow overflow-hidden rounded-full bg-muted">
        <Sl.Range className="absolute h-full bg-primary" />
      </Sl.Track>
      <Sl.Thumb
        aria-labelledby={labelledBy}
        aria-valuetext={valueText}
        className="block size-5 rounded-full border-2 border-primary bg-background shadow focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
      />
    </Sl.Root>
  );
}
