import { useMutation } from "@tanstack/react-query";
import { Bell, CheckCircle2, Mail, Ban, XCircle } from "lucide-react";
import { Popover } from "radix-ui";
import * as React from "react";
import { optInToEmail } from "@/api/client";
import { Button } from "@/components/ui/button";
import { Link } from "@/lib/router";
import { type BatchNotification, describeNotification, unreadCount } from "@/lib/notifications";
import { useNotifications } from "./useNotifications";
import { HelpLink } from "@/components/HelpLink";

const ICONS = {
  completed: <CheckCircle2 className="text-green-700" aria-hidden />,
  failed: <XCircle className="text-red-700" aria-hidden />,
  cancelled: <Ban className="text-slate-600" aria-hidden />,
};

/** The bell in the header: finished batches (completed, failed, cancelled), unread count, e-mail opt-in. */
export function NotificationCenter({ userId }: { userId: string }) {
  const { inbox, markAllRead, clear } = useNotifications(userId);
  const [open, setOpen] = React.useState(false);
  const unread = unreadCount(inbox);
  const label = unread ? `Notifications, ${unread} unread` : "Notifications";

  return (
    <Popover.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) markAllRead(); // read once seen: the count goes when the panel closes
      }}
    >
      <Popover.Trigger asChild>
        <Button size="icon" variant="ghost" aria-label={label} className="relative">
          <Bell aria-hidden />
          {unread > 0 && (
            <span
              aria-hidden
              className="absolute right-1 top-1 grid min-w-5 place-items-center rounded-full bg-red-700 px-1 text-[0.7rem] font-bold leading-5 text-white"
            >
              {unread > 9 ? "9+" : unread}
            </span>
          )}
        </Button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content
          align="end"
          sideOffset={6}
          collisionPadding={8}
          aria-label="Notifications"
          className="z-50 grid w-[min(24rem,calc(100vw-1rem))] gap-3 rounded-lg border border-border bg-background p-3 shadow-lg"
        >
          <div className="flex items-center justify-between gap-2">
            <h2 className="text-base font-semibold">Notifications</h2>
            {inbox.length > 0 && (
              <Button size="sm" variant="ghost" onClick={clear}>
                Clear all
              </Button>
            )}
          </div>
          {inbox.length === 0 ? (
            <p className="text-sm text-muted-foreground">
              Nothing yet. You will see each batch here when it completes, fails or is cancelled.
            </p>
          ) : (
            <ul className="grid max-h-80 gap-1 overflow-y-auto" aria-label="Finished batches">
              {inbox.map((n) => (
                <NotificationItem key={n.id} notification={n} onOpen={() => setOpen(false)} />
              ))}
            </ul>
          )}
          <EmailOptIn />
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}

function NotificationItem({ notification: n, onOpen }: { notification: BatchNotification; onOpen: () => void }) {
  return (
    <li className={n.read ? "" : "rounded-md bg-blue-50"}>
      <Link
        to={`/batches/${n.batchId}`}
        onClickCapture={onOpen}
        className="flex gap-2 rounded-md p-2 text-sm hover:bg-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring [&_svg]:mt-0.5 [&_svg]:size-4 [&_svg]:shrink-0"
      >
        {ICONS[n.kind]}
        <span className="grid gap-0.5">
          <span>
            {!n.read && <span className="sr-only">New: </span>}
            {describeNotification(n)}
          </span>
          <time dateTime={n.at} className="text-xs text-muted-foreground">
            {new Date(n.at).toLocaleString()}
          </time>
        </span>
      </Link>
    </li>
  );
}

function EmailOptIn() {
  const [email, setEmail] = React.useState("");
  const optIn = useMutation({ mutationFn: optInToEmail });
  return (
    <form
      className="grid gap-2 border-t border-border pt-3"
      onSubmit={(event) => {
        event.preventDefault();
        optIn.mutate(email);
      }}
    >
      <label htmlFor="notify-email" className="text-sm font-medium">
        E-mail me when a batch finishes
      </label>
      <div className="flex gap-2">
        <input
          id="notify-email"
          type="email"
          required
          maxLength={254}
          autoComplete="email"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          placeholder="you@example.com"
          className="h-9 min-w-0 flex-1 rounded-md border border-border bg-background px-2 text-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
        />
        <Button size="sm" type="submit" disabled={optIn.isPending}>
          <Mail aria-hidden /> Opt in
        </Button>
      </div>
      {optIn.isError && <HelpLink message={optIn.error.message} />}
      <p role="status" className="text-xs text-muted-foreground">
        {optIn.isSuccess
          ? `Check ${optIn.data.email}: the first e-mail asks you to confirm. Every e-mail has an unsubscribe link.`
          : optIn.isError
            ? `Could not opt in: ${optIn.error.message}`
            : "Completed, failed and cancelled batches, one e-mail each."}
      </p>
    </form>
  );
}
