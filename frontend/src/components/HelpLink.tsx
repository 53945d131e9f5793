import { LifeBuoy } from "lucide-react";
import { Link } from "@/lib/router";
import { helpFor, helpHref } from "@/lib/troubleshooting";

/** "How to fix this" next to an error message: a link to its troubleshooting entry. */
export function HelpLink({ message }: { message: string | null | undefined }) {
  const entry = helpFor(message);
  return (
    <Link
      to={helpHref(message)}
      className="inline-flex items-center gap-1 rounded-sm text-sm font-medium underline underline-offset-2 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring [&_svg]:size-3.5"
    >
      <LifeBuoy aria-hidden /> {entry ? `How to fix: ${entry.title.toLowerCase()}` : "Troubleshooting"}
    </Link>
  );
}
