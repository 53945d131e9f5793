/** Batch settings: defaults, ranges and the API's own rules for combinations (README, Settings). */
import { z } from "zod";
import type { BatchSettings } from "@/types/batch";

export const DEFAULT_SETTINGS: Required<BatchSettings> = {
  transcribe: true,
  language: "en",
  remove_silence: true,
  silence_threshold: -35,
  min_silence_duration: 1,
  margin: 0.2,
  detect_highlights: true,
  highlight_sensitivity: "medium",
  keywords: [],
  export_format: "mp4",
  export_quality: "1080p",
  captions: "off",
  cut_lists: false,
  removed_parts_preview: false,
  highlight_clips: "off",
  highlight_clip_seconds: 30,
};

export const LANGUAGES = [
  { value: "en", label: "English" },
  { value: "es", label: "Spanish" },
  { value: "ru", label: "Russian" },
  { value: "de", label: "German" },
  { value: "fr", label: "French" },
  { value: "auto", label: "Detect per video" },
] as const;

export const CAPTIONS = [
  { value: "off", label: "Off" },
  { value: "sidecar", label: "SRT + WebVTT files" },
  { value: "burn", label: "Burnt into the picture" },
  { value: "soft", label: "Subtitle track in the video" },
] as const;

/** At most this many clips per video (the API's MAX_HIGHLIGHT_CLIPS). */
export const MAX_HIGHLIGHT_CLIPS = 3;

export const HIGHLIGHT_CLIPS = [
  { value: "off", label: "Off" },
  { value: "vertical", label: "Vertical 9:16 (Shorts, Reels, TikTok)" },
  { value: "square", label: "Square 1:1" },
] as const;

export const QUALITY_INFO: Record<BatchSettings["export_quality"] & string, string> = {
  "720p": "Short side at most 720 px (1280×720 for 16:9); smaller inputs are never upscaled.",
  "1080p": "Short side at most 1080 px (1920×1080 for 16:9); smaller inputs are never upscaled.",
  "4k": "Short side at most 2160 px (3840×2160 for 16:9); smaller inputs are never upscaled.",
};

/** The form's values: keywords are edited as one comma-separated string. */
export const settingsFormSchema = z
  .object({
    transcribe: z.boolean(),
    language: z.enum(["en", "es", "ru", "de", "fr", "auto"]),
    remove_silence: z.boolean(),
    silence_threshold: z.number().min(-60).max(-20),
    min_silence_duration: z.number().min(0.5).max(5),
    margin: z.number().min(0).max(2),
    detect_highlights: z.boolean(),
    highlight_sensitivity: z.enum(["low", "medium", "high", "max"]),
    keywords: z.string(),
    export_format: z.enum(["mp4", "mov", "webm"]),
    export_quality: z.enum(["720p", "1080p", "4k"]),
    captions: z.enum(["off", "sidecar", "burn", "soft"]),
    cut_lists: z.boolean(),
    removed_parts_preview: z.boolean(),
    highlight_clips: z.enum(["off", "vertical", "square"]),
    highlight_clip_seconds: z.number().min(5).max(90),
  })
  .superRefine((values, ctx) => {
    for (const problem of settingsProblems(toSettings(values))) {
      ctx.addIssue({ code: "custom", path: [problem.field], message: problem.message });
    }
  });

export type SettingsFormValues = z.input<typeof settingsFormSchema>;

export function splitKeywords(text: string): string[] {
  return text
    .split(",")
    .map((word) => word.trim())
    .filter(Boolean);
}

export function toSettings(values: SettingsFormValues): Required<BatchSettings> {
  return { ...values, keywords: splitKeywords(values.keywords) };
}

/** Stored settings with the defaults filled in: the API sends null for a field it left unset (keywords). */
export function withDefaults(settings: Partial<BatchSettings> = {}): Required<BatchSettings> {
  const given = Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== null && value !== undefined));
  return { ...DEFAULT_SETTINGS, ...given } as Required<BatchSettings>;
}

export function toFormValues(settings: Partial<BatchSettings> = {}): SettingsFormValues {
  const merged = withDefaults(settings);
  return { ...merged, keywords: merged.keywords.join(", ") };
}

export interface SettingsProblem {
  field: keyof BatchSettings;
  message: string;
}

/** The combinations the API rejects with 422, with the same reasons. */
export function settingsProblems(settings: Required<BatchSettings>): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  if (settings.keywords.length > 0 && !settings.detect_highlights) {
    problems.push({ field: "keywords", message: "Keywords need highlight detection: turn it on or clear them." });
  }
  if (settings.keywords.length > 0 && !settings.transcribe) {
    problems.push({ field: "keywords", message: "Keywords are found in the transcript: turn transcription on." });
  }
  if (settings.keywords.length > 50) {
    problems.push({ field: "keywords", message: "At most 50 keywords." });
  }
  if (settings.keywords.some((word) => word.length > 50)) {
    problems.push({ field: "keywords", message: "Each keyword is at most 50 characters." });
  }
  if (settings.captions !== "off" && !settings.transcribe) {
    problems.push({ field: "captions", message: "Captions are made from the transcript: turn transcription on." });
  }
  if (settings.highlight_clips !== "off" && !settings.detect_highlights) {
    problems.push({
      field: "highlight_clips",
      message: "Highlight clips are cut around highlights: turn highlight detection on.",
    });
  }
  if (settings.removed_parts_preview && !settings.remove_silence) {
    problems.push({
      field: "removed_parts_preview",
      message: "The removed-parts preview shows what silence removal cut: turn silence removal on.",
    });
  }
  if (settings.remove_silence && settings.margin >= settings.min_silence_duration / 2) {
    problems.push({
      field: "margin",
      message: `A margin of ${settings.margin} s keeps every pause shorter than ${settings.margin * 2} s: make it smaller than half the minimum silence (${settings.min_silence_duration / 2} s), or no pause could ever be cut.`,
    });
  }
  return problems;
}

export interface Preset {
  name: string;
  description: string;
  settings: Required<BatchSettings>;
}

export const PRESETS: Preset[] = [
  {
    name: "Podcast series",
    description: "Long conversations: gentle silence cuts, transcript, highlights for clips.",
    settings: {
      ...DEFAULT_SETTINGS,
      silence_threshold: -40,
      min_silence_duration: 1.5,
      margin: 0.3,
      highlight_sensitivity: "medium",
      export_format: "mp4",
      export_quality: "1080p",
    },
  },
  {
    name: "YouTube uploads",
    description: "Tight jump cuts for talking-head videos, more highlights, 1080p MP4.",
    settings: {
      ...DEFAULT_SETTINGS,
      silence_threshold: -35,
      min_silence_duration: 0.5,
      margin: 0.1,
      highlight_sensitivity: "high",
      export_format: "mp4",
      export_quality: "1080p",
    },
  },
];

export interface Template {
  name: string;
  settings: Required<BatchSettings>;
}
const TEMPLATES_KEY = "reelflow.settings-templates";

export function loadTemplates(): Template[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(TEMPLATES_KEY) ?? "[]");
    return Array.isArray(parsed) ? (parsed as Template[]) : [];
  } catch {
    return [];
  }
}

export function saveTemplate(template: Template): Template[] {
  const templates = [...loadTemplates().filter((t) => t.name !== template.name), template];
  localStorage.setItem(TEMPLATES_KEY, JSON.stringify(templates));
  return templates;
}

/** One line per enabled feature, for the summary card. */
export function describeSettings(s: Required<BatchSettings>): string[] {
  const language = LANGUAGES.find((l) => l.value === s.language)?.label ?? s.language;
  return [
    s.transcribe ? `Transcribe (${language})` : "No transcript",
    s.remove_silence
      ? `Remove silence below ${s.silence_threshold} dBFS longer than ${s.min_silence_duration} s (keep ${s.margin} s)`
      : "Keep silences",
    s.detect_highlights
      ? `Highlights: ${s.highlight_sensitivity}${s.keywords.length ? `, keywords ${s.keywords.join(", ")}` : ""}`
      : "No highlights",
    `Export ${s.export_format.toUpperCase()} at ${s.export_quality}`,
    ...(s.captions !== "off" ? [`Captions: ${CAPTIONS.find((c) => c.value === s.captions)?.label ?? s.captions}`] : []),
    ...(s.cut_lists ? ["EDL and FCPXML cut lists"] : []),
    ...(s.removed_parts_preview ? ["Preview of the removed parts"] : []),
    ...(s.highlight_clips !== "off"
      ? [
          `Up to ${MAX_HIGHLIGHT_CLIPS} ${s.highlight_clips} highlight clips of ${s.highlight_clip_seconds} s, captions burnt in`,
        ]
      : []),
  ];
}
