import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { FakeApi } from "@/test/fakeApi";
import { makeDetail, makeVideo } from "@/test/fixtures";
import { renderApp } from "@/test/render";
import type { BatchJobDetail, BatchJobEdit } from "@/types/batch";
import { BatchJobDetails } from "./BatchJobDetails";
import { editOf } from "./EditBatchDetails";

function serve(batch: BatchJobDetail) {
  const api = new FakeApi();
  let stored = batch;
  api.on(`GET /api/batch-jobs/${batch.id}`, () => stored);
  api.on(`GET /api/batch-jobs/${batch.id}/exports`, () => ({ batch_id: batch.id, exports: [] }));
  api.on(`PATCH /api/batch-jobs/${batch.id}`, (request) => {
    stored = { ...stored, ...(request.body as BatchJobEdit) } as BatchJobDetail;
    return stored;
  });
  api.install();
  renderApp(<BatchJobDetails batchJobId={batch.id} />);
  return api;
}

test("a pending batch's name and description are edited in a dialog and saved with PATCH", async () => {
  const user = userEvent.setup();
  const batch = makeDetail({ status: "pending", name: "Raw clips", description: "first pass" }, [makeVideo()]);
  const api = serve(batch);
  await screen.findByRole("heading", { name: "Raw clips" });
  await user.click(screen.getByRole("button", { name: "Edit details" }));
  const dialog = await screen.findByRole("dialog", { name: "Edit batch details" });
  const save = within(dialog).getByRole("button", { name: "Save" });
  expect(save).toBeDisabled(); // nothing changed yet
  await user.clear(within(dialog).getByLabelText("Name"));
  await user.type(within(dialog).getByLabelText("Name"), "Spring talks");
  await user.clear(within(dialog).getByLabelText("Description"));
  await user.click(save);

  expect(await screen.findByRole("heading", { name: "Spring talks" })).toBeInTheDocument();
  expect(api.calls("PATCH", `/api/batch-jobs/${batch.id}`).map((r) => r.body)).toEqual([
    { name: "Spring talks", description: null },
  ]);
  expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  expect(screen.queryByText("first pass")).not.toBeInTheDocument();
  expect(await screen.findByText("Details saved")).toBeInTheDocument();
});

test("a batch that started meanwhile shows the API's refusal in the dialog", async () => {
  const user = userEvent.setup();
  const batch = makeDetail({ status: "pending", name: "Raw clips" }, [makeVideo()]);
  const api = serve(batch);
  api.on(`PATCH /api/batch-jobs/${batch.id}`, () =>
    Response.json(
      {
        error: "Batch can no longer be edited",
        detail: "The name and description can only be edited before the batch starts; it is 'queued'",
      },
      { status: 409 },
    ),
  );
  await screen.findByRole("heading", { name: "Raw clips" });
  await user.click(screen.getByRole("button", { name: "Edit details" }));
  const dialog = await screen.findByRole("dialog", { name: "Edit batch details" });
  await user.type(within(dialog).getByLabelText("Description"), "notes");
  await user.click(within(dialog).getByRole("button", { name: "Save" }));
  const refusal = await within(dialog).findByRole("alert");
  expect(refusal).toHaveTextContent("Batch can no longer be edited");
  expect(refusal).toHaveTextContent("it is 'queued'");
  await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
  expect(screen.getByRole("heading", { name: "Raw clips" })).toBeInTheDocument();
  await waitFor(() => expect(screen.getByRole("button", { name: "Edit details" })).toHaveFocus()); // back to the opener
});

test("a started batch offers no edit", async () => {
  const batch = makeDetail({ status: "processing", name: "Running" }, [makeVideo({ status: "processing" })]);
  serve(batch);
  await screen.findByRole("heading", { name: "Running" });
  expect(screen.queryByRole("button", { name: "Edit details" })).not.toBeInTheDocument();
});

test("only what changed is sent; an emptied description is null", () => {
  const batch = { name: "A", description: "d" };
  expect(editOf(batch, "A", "d")).toEqual({});
  expect(editOf(batch, " B ", "d")).toEqual({ name: "B" });
  expect(editOf(batch, "A", "  ")).toEqual({ description: null });
  expect(editOf({ name: "A", description: null }, "A", "new")).toEqual({ description: "new" });
});
