import { DEFAULT_SETTINGS, PRESETS, settingsProblems } from "./settings";

test("flags the combinations the API rejects and accepts the defaults and presets", () => {
  expect(settingsProblems(DEFAULT_SETTINGS)).toEqual([]);
  for (const preset of PRESETS) expect(settingsProblems(preset.settings)).toEqual([]);
  const noHighlights = settingsProblems({ ...DEFAULT_SETTINGS, keywords: ["wow"], detect_highlights: false });
  expect(noHighlights.map((p) => p.field)).toEqual(["keywords"]);
  const noTranscript = settingsProblems({ ...DEFAULT_SETTINGS, keywords: ["wow"], transcribe: false });
  expect(noTranscript[0]!.message).toMatch(/transcription/);
  expect(settingsProblems({ ...DEFAULT_SETTINGS, margin: 0.5, min_silence_duration: 1 })[0]!.field).toBe("margin");
  expect(settingsProblems({ ...DEFAULT_SETTINGS, margin: 0.5, min_silence_duration: 1, remove_silence: false })).toEqual([]);
});

test("captions need the transcript and the removed-parts preview needs silence removal, as the API says", () => {
  const captions = settingsProblems({ ...DEFAULT_SETTINGS, captions: "burn", transcribe: false });
  expect(captions.map((p) => p.field)).toEqual(["captions"]);
  expect(settingsProblems({ ...DEFAULT_SETTINGS, captions: "soft", language: "auto" })).toEqual([]);
  const preview = settingsProblems({ ...DEFAULT_SETTINGS, removed_parts_preview: true, remove_silence: false });
  expect(preview.map((p) => p.field)).toEqual(["removed_parts_preview"]);
  expect(settingsProblems({ ...DEFAULT_SETTINGS, removed_parts_preview: true, cut_lists: true })).toEqual([]);
});

test("highlight clips are off by default and need highlight detection, as the API says", () => {
  expect(DEFAULT_SETTINGS.highlight_clips).toBe("off");
  const clips = settingsProblems({ ...DEFAULT_SETTINGS, highlight_clips: "vertical", detect_highlights: false });
  expect(clips.map((p) => p.field)).toEqual(["highlight_clips"]);
  expect(settingsProblems({ ...DEFAULT_SETTINGS, highlight_clips: "square", highlight_clip_seconds: 15 })).toEqual([]);
});
