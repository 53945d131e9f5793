import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { HelpLink } from "@/components/HelpLink";
import { RouterProvider, useRouter } from "@/lib/router";
import { TROUBLES } from "@/lib/troubleshooting";
import { HelpPage } from "./HelpPage";

function Shell() {
  const { path } = useRouter();
  return path === "/help" ? <HelpPage /> : <HelpLink message="The file has no video stream (is it an audio file or an image?)" />;
}

test("an error's link opens its troubleshooting entry on the help page, focused", async () => {
  window.history.replaceState(null, "", "/batches/b1");
  const user = userEvent.setup();
  render(
    <RouterProvider>
      <Shell />
    </RouterProvider>,
  );
  await user.click(screen.getByRole("link", { name: /How to fix: the file is not a video we can decode/ }));
  expect(window.location.pathname + window.location.hash).toBe("/help#not-a-video");
  const entry = screen.getByRole("article", { name: "The file is not a video we can decode" });
  expect(entry).toHaveFocus();
  expect(entry).toHaveTextContent(/use Replace on its row/);
  expect(screen.getByRole("heading", { name: "Guide" })).toBeInTheDocument();
  expect(screen.getAllByRole("article")).toHaveLength(TROUBLES.length);
});
