import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { TOUR_KEY, UploadTour } from "./UploadTour";

test("the tour walks three steps, and once finished it does not come back", async () => {
  const user = userEvent.setup();
  const { unmount } = render(<UploadTour />);
  const tour = screen.getByRole("region", { name: "Tour of the upload" });
  expect(tour).toHaveTextContent("Add your videos(step 1 of 3)");
  await user.click(screen.getByRole("button", { name: "Next" }));
  await user.click(screen.getByRole("button", { name: "Next" }));
  expect(tour).toHaveTextContent("Upload, then start");
  await user.click(screen.getByRole("button", { name: "Got it" }));
  expect(screen.queryByRole("region", { name: "Tour of the upload" })).not.toBeInTheDocument();
  unmount();
  render(<UploadTour />);
  expect(screen.queryByRole("region", { name: "Tour of the upload" })).not.toBeInTheDocument();
});

test("it can be skipped at any step, for good", async () => {
  const user = userEvent.setup();
  render(<UploadTour />);
  await user.click(screen.getByRole("button", { name: "Next" }));
  await user.click(screen.getByRole("button", { name: "Skip the tour" }));
  expect(screen.queryByRole("region")).not.toBeInTheDocument();
  expect(localStorage.getItem(TOUR_KEY)).toBe("done");
});
