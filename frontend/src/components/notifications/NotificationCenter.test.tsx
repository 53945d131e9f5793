import { act, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { batchEvent } from "@/test/events";
import { FakeApi } from "@/test/fakeApi";
import { FakeSocket } from "@/test/fakeSocket";
import { makeDetail } from "@/test/fixtures";
import { renderApp } from "@/test/render";
import { NotificationCenter } from "./NotificationCenter";

beforeEach(() => {
  FakeSocket.instances = [];
});

test("a finished batch arrives over the socket, counts as unread, names the batch and links to it", async () => {
  const user = userEvent.setup();
  const batch = makeDetail({ id: "b1", name: "Holiday vlogs", status: "completed", total_videos: 2, completed_videos: 2 });
  const api = new FakeApi().on("GET /api/batch-jobs/:id", batch);
  api.install();
  renderApp(<NotificationCenter userId="alice" />);

  const socket = FakeSocket.latest();
  act(() => socket.open());
  expect(socket.sent).toEqual([{ action: "subscribe" }]); // every batch of the user, not one

  act(() => socket.push(batchEvent("batch_completed", batch, 7)));
  act(() => socket.push(batchEvent("batch_completed", batch, 7))); // a redelivery counts once
  const bell = await screen.findByRole("button", { name: "Notifications, 1 unread" });

  await user.click(bell);
  const link = await screen.findByRole("link", { name: /Holiday vlogs is finished: 2 of 2 videos ready/ });
  expect(link).toHaveAttribute("href", "/batches/b1");

  await user.keyboard("{Escape}");
  expect(await screen.findByRole("button", { name: "Notifications" })).toHaveFocus();
  expect(JSON.parse(localStorage.getItem("reelflow.notifications.alice")!)[0]).toMatchObject({ read: true, batchName: "Holiday vlogs" });
});

test("e-mail opt-in sends the address and says to confirm; a deployment without e-mail says so", async () => {
  const user = userEvent.setup();
  let configured = true;
  const api = new FakeApi().on("PUT /api/me/notifications", (r) =>
    configured
      ? { email: (r.body as { email: string }).email, subscription: "pending confirmation" }
      : Response.json({ error: "E-mail notifications are not configured", detail: "This deployment has no notification topic" }, { status: 409 }),
  );
  api.install();
  renderApp(<NotificationCenter userId="alice" />);

  await user.click(screen.getByRole("button", { name: "Notifications" }));
  await user.type(screen.getByLabelText("E-mail me when a batch finishes"), "me@example.com");
  await user.click(screen.getByRole("button", { name: "Opt in" }));
  expect(await screen.findByText(/Check me@example.com: the first e-mail asks you to confirm/)).toBeInTheDocument();
  expect(api.calls("PUT", "/api/me/notifications")[0]!.body).toEqual({ email: "me@example.com" });

  configured = false;
  await user.click(screen.getByRole("button", { name: "Opt in" }));
  expect(await screen.findByText(/Could not opt in: E-mail notifications are not configured/)).toBeInTheDocument();
});
