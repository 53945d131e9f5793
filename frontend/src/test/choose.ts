import { screen } from "@testing-library/react";
import type { UserEvent } from "@testing-library/user-event";

/** Picks `option` in the Radix Select labelled `label`, as a pointer user would. */
export async function choose(user: UserEvent, label: string, option: string): Promise<void> {
  await user.click(screen.getByRole("combobox", { name: label }));
  await user.click(await screen.findByRole("option", { name: option }));
}
