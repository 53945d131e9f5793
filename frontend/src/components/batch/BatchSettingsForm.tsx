import { zodResolver } from "@hookform/resolvers/zod";
import { AlertTriangle, ChevronDown, RotateCcw, Save } from "lucide-react";
import * as React from "react";
import { Controller, useForm, useWatch } from "react-hook-form";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import {
  Checkbox,
  Collapsible,
  CollapsibleContent,
  CollapsibleTrigger,
  Input,
  Label,
  RadioGroup,
  RadioGroupItem,
  Textarea,
} from "@/components/ui/form";
import { ChoiceSelect, Slider } from "@/components/ui/choice";
import {
  CAPTIONS,
  DEFAULT_SETTINGS,
  HIGHLIGHT_CLIPS,
  describeSettings,
  LANGUAGES,
  loadTemplates,
  PRESETS,
  QUALITY_INFO,
  type SettingsFormValues,
  settingsFormSchema,
  settingsProblems,
  saveTemplate,
  type Template,
  toFormValues,
  toSettings,
} from "@/lib/settings";
import type { BatchSettings } from "@/types/batch";
import { FieldHelp } from "./FieldHelp";

export const HELP = {
  transcribe: "Writes a transcript with word times. Needed for keyword highlights.",
  language: "The language spoken in the videos; the transcription model listens for it.",
  remove_silence: "Cuts pauses out of the video so it moves faster.",
  silence_threshold:
    "Audio quieter than this counts as silence. Closer to -20 cuts more (breaths, room noise); closer to -60 only cuts true silence.",
  min_silence_duration: "Only pauses at least this long are cut; shorter ones are natural and stay.",
  margin: "Seconds of each pause kept next to speech so words are not clipped. Must be under half the minimum silence.",
  detect_highlights: "Scores moments with loud reactions, scene changes and keywords.",
  highlight_sensitivity: "How many highlights survive: low keeps only the strongest, max keeps the most.",
  keywords: "Comma-separated words that mark a highlight when spoken (needs transcription and highlights).",
  export_format: "MP4 and MOV hold H.264/AAC; WebM holds VP9/Opus.",
  export_quality: "Maximum height of the short side. Smaller inputs are never upscaled.",
  captions: "Subtitles timed to the edited video: SRT + WebVTT files, burnt into the picture, or a soft track (needs transcription).",
  cut_lists: "EDL and FCPXML timelines of the kept parts, to finish the edit in your own editor.",
  removed_parts_preview: "A short video of what silence removal cut, to check the threshold.",
  highlight_clips:
    "Short clips to post around the top 3 highlights of each video: vertical 9:16 or square, cut from the centre of the edited video, captions burnt in, each with a poster (needs highlights).",
  highlight_clip_seconds: "Length of each clip; a video shorter than this becomes one clip of its whole length.",
} as const;

const FORMATS = [
  { value: "mp4", label: "MP4" },
  { value: "mov", label: "MOV" },
  { value: "webm", label: "WebM" },
] as const;
const QUALITIES = [
  { value: "720p", label: "720p" },
  { value: "1080p", label: "1080p" },
  { value: "4k", label: "4K" },
] as const;

export interface BatchSettingsFormProps {
  initialSettings?: Partial<BatchSettings>;
  onChange?: (settings: Required<BatchSettings>, valid: boolean) => void;
  showTemplates?: boolean;
}

export function BatchSettingsForm({ initialSettings, onChange, showTemplates = false }: BatchSettingsFormProps) {
  const id = React.useId();
  const form = useForm<SettingsFormValues>({
    defaultValues: toFormValues(initialSettings),
    resolver: zodResolver(settingsFormSchema),
    mode: "onChange",
  });
  const values = useWatch({ control: form.control }) as SettingsFormValues;
  const settings = toSettings({ ...toFormValues(), ...values });
  const problems = settingsProblems(settings);
  const [templates, setTemplates] = React.useState<Template[]>(() => loadTemplates());
  const [templateName, setTemplateName] = React.useState("");
  const onChangeRef = React.useRef(onChange);
  onChangeRef.current = onChange;
  const serialized = JSON.stringify(settings);

  React.useEffect(() => {
    onChangeRef.current?.(JSON.parse(serialized) as Required<BatchSettings>, settingsProblems(JSON.parse(serialized)).length === 0);
  }, [serialized]);

  const apply = (next: Partial<BatchSettings>) => form.reset(toFormValues(next));
  const f = (name: string) => `${id}-${name}`;
  const { register, control } = form;

  return (
    <div className="grid gap-4" aria-label="Processing settings" role="group">
      {showTemplates && (
        <div className="flex flex-wrap items-end gap-2">
          <div className="grid gap-1.5">
            <Label htmlFor={f("preset")}>Preset or template</Label>
            <ChoiceSelect
              id={f("preset")}
              value=""
              placeholder="Load…"
              className="w-48"
              onValueChange={(chosenValue) => {
                const chosen =
                  PRESETS.find((p) => `preset:${p.name}` === chosenValue)?.settings ??
                  templates.find((t) => `template:${t.name}` === chosenValue)?.settings;
                if (chosen) apply(chosen);
              }}
              choices={[
                { label: "Presets", choices: PRESETS.map((p) => ({ value: `preset:${p.name}`, label: p.name })) },
                ...(templates.length > 0
                  ? [{ label: "My templates", choices: templates.map((t) => ({ value: `template:${t.name}`, label: t.name })) }]
                  : []),
              ]}
            />
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor={f("template-name")}>Template name</Label>
            <Input
              id={f("template-name")}
              value={templateName}
              maxLength={60}
              onChange={(event) => setTemplateName(event.target.value)}
              className="w-44"
            />
          </div>
          <Button
            variant="outline"
            disabled={!templateName.trim() || problems.length > 0}
            onClick={() => {
              setTemplates(saveTemplate({ name: templateName.trim(), settings }));
              setTemplateName("");
            }}
          >
            <Save aria-hidden /> Save as template
          </Button>
          <Button variant="ghost" onClick={() => apply(DEFAULT_SETTINGS)}>
            <RotateCcw aria-hidden /> Reset to defaults
          </Button>
        </div>
      )}

      <fieldset className="grid gap-3 rounded-md border border-border p-3">
        <legend className="px-1 text-sm font-semibold">Transcription</legend>
        <CheckboxField control={control} name="transcribe" label="Transcribe" help={HELP.transcribe} />
        {settings.transcribe && (
          <div className="grid gap-1.5">
            <LabelWithHelp htmlFor={f("language")} label="Language" help={HELP.language} />
  <Controller
              control={control}
              name="language"
              render={({ field }) => (
                <ChoiceSelect id={f("language")} value={field.value} onValueChange={field.onChange} choices={LANGUAGES} />
              )}
            />
          </div>
        )}
        <div className="grid gap-1.5">
          <LabelWithHelp htmlFor={f("captions")} label="Captions" help={HELP.captions} />
<Controller
            control={control}
            name="captions"
            render={({ field }) => (
              <ChoiceSelect id={f("captions")} value={field.value} onValueChange={field.onChange} choices={CAPTIONS} />
            )}
          />
        </div>
      </fieldset>

      <fieldset className="grid gap-3 rounded-md border border-border p-3">
        <legend className="px-1 text-sm font-semibold">Silence removal</legend>
        <CheckboxField control={control} name="remove_silence" label="Remove silence" help={HELP.remove_silence} />
        <div className="grid gap-1.5">
          <span className="flex items-center gap-1">
            <Label id={f("threshold")}>{`Silence threshold: ${settings.silence_threshold} dBFS`}</Label>
            <FieldHelp label="Silence threshold" text={HELP.silence_threshold} />
          </span>
          <Controller
            control={control}
            name="silence_threshold"
            render={({ field }) => (
              <Slider
                min={-60}
                max={-20}
                step={1}
                value={[Number(field.value)]}
                onValueChange={([next]) => field.onChange(next)}
                disabled={!settings.remove_silence}
                aria-labelledby={f("threshold")}
                aria-valuetext={`${settings.silence_threshold} dBFS`}
                className="py-2"
              />
            )}
          />
        </div>
        <div className="grid gap-3 sm:grid-cols-2">
          <NumberField
            id={f("min")}
            label="Minimum silence (s)"
            help={HELP.min_silence_duration}
            range={[0.5, 5, 0.5]}
            disabled={!settings.remove_silence}
            {...register("min_silence_duration", { valueAsNumber: true })}
          />
          <NumberField
            id={f("margin")}
            label="Margin (s)"
            help={HELP.margin}
            range={[0, 2, 0.05]}
            disabled={!settings.remove_silence}
            {...register("margin", { valueAsNumber: true })}
          />
        </div>
      </fieldset>

      <fieldset className="grid gap-3 rounded-md border border-border p-3">
        <legend className="px-1 text-sm font-semibold">Highlights</legend>
        <CheckboxField
          control={control}
          name="detect_highlights"
          label="Detect highlights"
          help={HELP.detect_highlights}
        />
        <div className="grid gap-1.5">
          <span className="flex items-center gap-1 text-sm font-medium" id={f("sensitivity")}>
            Sensitivity <FieldHelp label="Sensitivity" text={HELP.highlight_sensitivity} />
          </span>
          <Controller
            control={control}
            name="highlight_sensitivity"
            render={({ field }) => (
              <RadioGroup
                aria-labelledby={f("sensitivity")}
                value={field.value}
                onValueChange={field.onChange}
                disabled={!settings.detect_highlights}
                className="flex flex-wrap gap-4"
              >
                {(["low", "medium", "high", "max"] as const).map((level) => (
                  <div key={level} className="flex items-center gap-2">
                    <RadioGroupItem value={level} id={f(`sens-${level}`)} />
                    <Label htmlFor={f(`sens-${level}`)} className="capitalize">
                      {level}
                    </Label>
                  </div>
                ))}
              </RadioGroup>
            )}
          />
        </div>
        <div className="grid gap-1.5">
          <LabelWithHelp htmlFor={f("keywords")} label="Keywords" help={HELP.keywords} />
          <Textarea id={f("keywords")} placeholder="important, amazing" {...register("keywords")} />
        </div>
        <div className="grid gap-3 sm:grid-cols-2">
          <div className="grid gap-1.5">
            <LabelWithHelp htmlFor={f("clips")} label="Highlight clips" help={HELP.highlight_clips} />
            <Controller
              control={control}
              name="highlight_clips"
              render={({ field }) => (
                <ChoiceSelect
                  id={f("clips")}
                  value={field.value}
                  onValueChange={field.onChange}
                  choices={HIGHLIGHT_CLIPS}
                />
              )}
            />
          </div>
          <NumberField
            id={f("clip-seconds")}
            label="Clip length (s)"
            help={HELP.highlight_clip_seconds}
            range={[5, 90, 5]}
            disabled={settings.highlight_clips === "off"}
            {...register("highlight_clip_seconds", { valueAsNumber: true })}
          />
        </div>
      </fieldset>

      <fieldset className="grid gap-3 rounded-md border border-border p-3 sm:grid-cols-2">
        <legend className="px-1 text-sm font-semibold">Export</legend>
        <div className="grid gap-1.5">
          <LabelWithHelp htmlFor={f("format")} label="Format" help={HELP.export_format} />
<Controller
            control={control}
            name="export_format"
            render={({ field }) => (
              <ChoiceSelect id={f("format")} value={field.value} onValueChange={field.onChange} choices={FORMATS} />
            )}
          />
        </div>
        <div className="grid gap-1.5">
          <LabelWithHelp htmlFor={f("quality")} label="Quality" help={HELP.export_quality} />
<Controller
            control={control}
            name="export_quality"
            render={({ field }) => (
              <ChoiceSelect id={f("quality")} value={field.value} onValueChange={field.onChange} choices={QUALITIES} />
            )}
          />
        </div>
        <p className="text-xs text-muted-foreground sm:col-span-2">{QUALITY_INFO[settings.export_quality]}</p>
        <CheckboxField control={control} name="cut_lists" label="Cut lists (EDL, FCPXML)" help={HELP.cut_lists} />
        <CheckboxField
          control={control}
          name="removed_parts_preview"
          label="Preview of the removed parts"
          help={HELP.removed_parts_preview}
        />
      </fieldset>

      <div aria-live="polite" className="grid gap-2">
        {problems.map((problem) => (
          <Alert key={problem.message} variant="warning">
            <AlertDescription className="flex gap-2">
              <AlertTriangle aria-hidden className="mt-0.5 shrink-0" />
              {problem.message}
            </AlertDescription>
          </Alert>
        ))}
      </div>

      <Collapsible defaultOpen>
        <Card>
          <CardHeader className="p-3 sm:p-3">
            <CollapsibleTrigger className="flex items-center justify-between rounded-sm text-left focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring">
              <CardTitle className="text-base">Summary</CardTitle>
              <ChevronDown aria-hidden className="size-4" />
            </CollapsibleTrigger>
          </CardHeader>
          <CollapsibleContent>
            <CardContent className="p-3 pt-0 sm:p-3 sm:pt-0">
              <ul className="list-disc pl-5 text-sm" aria-label="Settings summary">
                {describeSettings(settings).map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </CardContent>
          </CollapsibleContent>
        </Card>
      </Collapsible>
    </div>
  );
}

/** A labelled number input; `range` is [min, max, step]. */
const NumberField = React.forwardRef<
  HTMLInputElement,
  Omit<React.ComponentProps<typeof Input>, "type" | "min" | "max" | "step"> & {
    id: string;
    label: string;
    help: string;
    range: [number, number, number];
  }
>(function NumberField({ id, label, help, range: [min, max, step], ...input }, ref) {
  return (
    <div className="grid gap-1.5">
      <LabelWithHelp htmlFor={id} label={label} help={help} />
      <Input ref={ref} id={id} type="number" min={min} max={max} step={step} {...input} />
    </div>
  );
});

function LabelWithHelp({ htmlFor, label, help }: { htmlFor: string; label: string; help: string }) {
  return (
    <span className="flex items-center gap-1">
      <Label htmlFor={htmlFor}>{label}</Label>
      <FieldHelp label={label.split(":")[0]!} text={help} />
    </span>
  );
}

type BooleanField = "transcribe" | "remove_silence" | "detect_highlights" | "cut_lists" | "removed_parts_preview";

function CheckboxField({
  control,
  name,
  label,
  help,
}: {
  control: ReturnType<typeof useForm<SettingsFormValues>>["control"];
  name: BooleanField;
  label: string;
  help: string;
}) {
  const id = React.useId();
  return (
    <Controller
      control={control}
      name={name}
      render={({ field }) => (
        <div className="flex items-center gap-2">
          <Checkbox id={id} checked={field.value} onCheckedChange={(checked) => field.onChange(checked === true)} />
          <Label htmlFor={id}>{label}</Label>
          <FieldHelp label={label} text={help} />
        </div>
      )}
    />
  );
}
