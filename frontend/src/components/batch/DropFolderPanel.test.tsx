import { screen } from "@testing-library/react";
import { FakeApi } from "@/test/fakeApi";
import { renderApp } from "@/test/render";
import { DropFolderPanel } from "./DropFolderPanel";

test("shows the creator's drop-folder address and the command that fills it", async () => {
  const api = new FakeApi();
  api.on("GET /api/drop-folder", () => ({
    bucket: "reelflow-ingest",
    prefix: "dropbox/u-1/",
    s3_uri: "s3://reelflow-ingest/dropbox/u-1/",
    command: "reelflow drop DIR --aws --outputs outputs.json --start",
  }));
  api.install();
  renderApp(<DropFolderPanel />);
  expect(await screen.findByLabelText("Drop folder address")).toHaveTextContent("s3://reelflow-ingest/dropbox/u-1/");
  expect(screen.getByLabelText("Upload command")).toHaveTextContent("reelflow drop DIR --aws");
  expect(screen.getByRole("heading", { name: /Your drop folder/ })).toBeInTheDocument();
});
