import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { TooltipProvider } from "@/components/ui/tooltip";
import { choose } from "@/test/choose";
import type { BatchSettings } from "@/types/batch";
import { BatchSettingsForm } from "./BatchSettingsForm";

function setup(props: Partial<React.ComponentProps<typeof BatchSettingsForm>> = {}) {
  const changes: { settings: Required<BatchSettings>; valid: boolean }[] = [];
  render(
    <TooltipProvider>
      <BatchSettingsForm onChange={(settings, valid) => changes.push({ settings, valid })} {...props} />
    </TooltipProvider>,
  );
  return { changes, last: () => changes[changes.length - 1]! };
}

test("every change is reported and the summary follows it", async () => {
  const user = userEvent.setup();
  const { last } = setup();
  expect(last().settings.export_quality).toBe("1080p");
  await choose(user, "Quality", "720p");
  await user.click(screen.getByRole("radio", { name: "high" }));
  await user.click(screen.getByRole("checkbox", { name: "Transcribe" }));
  expect(last().settings).toMatchObject({ export_quality: "720p", highlight_sensitivity: "high", transcribe: false });
  expect(screen.queryByLabelText("Language")).not.toBeInTheDocument();
  const summary = screen.getByRole("list", { name: "Settings summary" });
  expect(within(summary).getByText("Export MP4 at 720p")).toBeInTheDocument();
  expect(within(summary).getByText("No transcript")).toBeInTheDocument();
});

test("warns about the combinations the API rejects and reports them invalid", async () => {
  const user = userEvent.setup();
  const { last } = setup();
  await user.type(screen.getByLabelText("Keywords"), "wow, amazing");
  expect(last().settings.keywords).toEqual(["wow", "amazing"]);
  expect(last().valid).toBe(true);
  await user.click(screen.getByRole("checkbox", { name: "Detect highlights" }));
  expect(screen.getByRole("alert")).toHaveTextContent("Keywords need highlight detection");
  expect(last().valid).toBe(false);
  await user.click(screen.getByRole("checkbox", { name: "Detect highlights" }));
  const margin = screen.getByLabelText("Margin (s)");
  await user.clear(margin);
  await user.type(margin, "0.6");
  expect(screen.getByRole("alert")).toHaveTextContent("half the minimum silence");
  expect(last().valid).toBe(false);
});

test("every option explains itself in a tooltip reachable by keyboard", async () => {
  setup();
  for (const name of ["Transcribe", "Silence threshold", "Margin (s)", "Keywords", "Sensitivity", "Format", "Quality"]) {
    expect(screen.getByRole("button", { name: new RegExp(`^About ${name.replace(/[()]/g, "\\$&")}:`) })).toBeInTheDocument();
  }
  const user = userEvent.setup();
  await user.tab();
  expect(screen.getByRole("checkbox", { name: "Transcribe" })).toHaveFocus();
});

test("built-in presets load, and a saved template survives in localStorage", async () => {
  const user = userEvent.setup();
  const { last } = setup({ showTemplates: true });
  await choose(user, "Preset or template", "YouTube uploads");
  expect(last().settings).toMatchObject({ min_silence_duration: 0.5, margin: 0.1, highlight_sensitivity: "high" });
  await user.type(screen.getByLabelText("Template name"), "Shorts");
  await user.click(screen.getByRole("button", { name: /Save as template/ }));
  expect(JSON.parse(localStorage.getItem("reelflow.settings-templates")!)[0].name).toBe("Shorts");
  await user.click(screen.getByRole("button", { name: /Reset to defaults/ }));
  expect(last().settings.min_silence_duration).toBe(1);
  await choose(user, "Preset or template", "Shorts");
  expect(last().settings.min_silence_duration).toBe(0.5);
});

test("the silence threshold is a slider moved by keyboard, read out in dBFS", async () => {
  const user = userEvent.setup();
  const { last } = setup();
  const slider = screen.getByRole("slider", { name: /Silence threshold: -35 dBFS/ });
  expect(slider).toHaveAttribute("aria-valuetext", "-35 dBFS");
  slider.focus();
  await user.keyboard("{ArrowRight}{ArrowRight}");
  expect(last().settings.silence_threshold).toBe(-33);
  await user.keyboard("{End}");
  expect(last().settings.silence_threshold).toBe(-20);
  expect(screen.getByRole("slider")).toHaveAttribute("aria-valuetext", "-20 dBFS");
  await choose(user, "Format", "WebM");
  expect(last().settings.export_format).toBe("webm");
});

test("highlight clips: vertical or square with a length, and only with highlight detection", async () => {
  const user = userEvent.setup();
  const { last } = setup();
  expect(screen.getByLabelText("Clip length (s)")).toBeDisabled(); // off by default
  await choose(user, "Highlight clips", "Vertical 9:16 (Shorts, Reels, TikTok)");
  const length = screen.getByLabelText("Clip length (s)");
  await user.clear(length);
  await user.type(length, "15");
  expect(last().settings).toMatchObject({ highlight_clips: "vertical", highlight_clip_seconds: 15 });
  expect(last().valid).toBe(true);
  await user.click(screen.getByRole("checkbox", { name: "Detect highlights" }));
  expect(screen.getByRole("alert")).toHaveTextContent("Highlight clips are cut around highlights");
  expect(last().valid).toBe(false);
});
