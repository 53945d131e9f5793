import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { TooltipProvider } from "@/components/ui/tooltip";
import { makeVideo } from "@/test/fixtures";
import type { BatchVideo } from "@/types/batch";
import { BatchVideoRow, type VideoAction } from "./BatchVideoRow";

function renderRow(video: BatchVideo, extra: Partial<React.ComponentProps<typeof BatchVideoRow>> = {}) {
  const actions: [VideoAction, string][] = [];
  render(
    <TooltipProvider>
      <table>
        <tbody>
          <BatchVideoRow batchVideo={video} onAction={(a, v) => actions.push([a, v.video_id])} {...extra} />
        </tbody>
      </table>
    </TooltipProvider>,
  );
  return actions;
}

test("a failed video shows its status, retry count and offers Retry and the error", async () => {
  const user = userEvent.setup();
  const video = makeVideo({ status: "failed", retry_count: 2, max_retries: 3, error_message: "No audio stream", position: 4 });
  const actions = renderRow(video);
  expect(screen.getByText("#4")).toBeInTheDocument();
  expect(screen.getByText("Failed")).toBeInTheDocument();
  expect(screen.getByText("Retry 2/3")).toBeInTheDocument();
  expect(screen.getByLabelText("Failed: No audio stream")).toBeInTheDocument();
  await user.click(screen.getByRole("button", { name: /^Retry$/ }));
  await user.click(screen.getByRole("button", { name: `Actions for ${video.original_name}` }));
  await user.click(await screen.findByRole("menuitem", { name: /View error/ }));
  expect(actions).toEqual([["retry", video.video_id], ["view-error", video.video_id]]);
});

test("a video out of retries offers neither Retry nor Remove", async () => {
  const user = userEvent.setup();
  const exhausted = makeVideo({ status: "failed", retry_count: 3, max_retries: 3 });
  renderRow(exhausted);
  expect(screen.queryByRole("button", { name: /^Retry$/ })).not.toBeInTheDocument();
  await user.click(screen.getByRole("button", { name: /Actions for/ }));
  expect(screen.queryByRole("menuitem", { name: /Retry/ })).not.toBeInTheDocument();
  expect(screen.queryByRole("menuitem", { name: /Remove/ })).not.toBeInTheDocument();
});

test("shows progress, stage, duration and thumbnail; selection and reordering report back", async () => {
  const user = userEvent.setup();
  const video = makeVideo({
    status: "processing",
    progress_percentage: 42,
    current_stage: "removing_silence",
    duration: 3725,
    artifacts: { thumbnail: "http://s3/thumb.jpg" },
  });
  const selected: boolean[] = [];
  const moves: number[] = [];
  renderRow(video, { selectable: true, onSelect: (_, s) => selected.push(s), onMove: (_, d) => moves.push(d) });
  expect(screen.getByText("42%")).toBeInTheDocument();
  expect(screen.getByRole("progressbar", { name: /progress/ })).toHaveAttribute("aria-valuenow", "42");
  expect(screen.getByText("Removing silence")).toBeInTheDocument();
  expect(screen.getByText("1:02:05")).toBeInTheDocument();
  expect(document.querySelector("img")).toHaveAttribute("src", "http://s3/thumb.jpg");
  await user.click(screen.getByRole("checkbox", { name: /Select/ }));
  await user.click(screen.getByRole("button", { name: /Move .* down/ }));
  expect(selected).toEqual([true]);
  expect(moves).toEqual([1]);
});

test("a finished video's captions, cut lists, removed-parts preview and poster download from its menu", async () => {
  const user = userEvent.setup();
  const video = makeVideo({
    status: "completed",
    original_name: "talk.mp4",
    artifacts: {
      captions_srt: "https://s3/talk.srt",
      edl: "https://s3/talk.edl",
      removed_parts: "https://s3/talk-removed.mp4",
      poster: "https://s3/talk.jpg",
      clip_10: "https://s3/talk.clip10.mp4",
      clip_2_poster: "https://s3/talk.clip2.poster.jpg",
      clip_2: "https://s3/talk.clip2.mp4",
      transcribing: "https://s3/stage-data.json", // stage data, not a file for the creator
    },
  });
  renderRow(video);
  await user.click(screen.getByRole("button", { name: "Actions for talk.mp4" }));
  const links = await screen.findAllByRole("menuitem");
  const files = links.filter((item) => item.tagName === "A").map((a) => [a.textContent?.trim(), a.getAttribute("href")]);
  expect(files).toEqual([
    ["Captions (SRT)", "https://s3/talk.srt"],
    ["Cut list (EDL)", "https://s3/talk.edl"],
    ["Preview of the removed parts", "https://s3/talk-removed.mp4"],
    ["Poster", "https://s3/talk.jpg"],
    ["Highlight clip 2", "https://s3/talk.clip2.mp4"],
    ["Highlight clip 2 (poster)", "https://s3/talk.clip2.poster.jpg"],
    ["Highlight clip 10", "https://s3/talk.clip10.mp4"],
  ]);
});
