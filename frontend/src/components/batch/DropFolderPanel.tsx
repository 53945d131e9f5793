import { useQuery } from "@tanstack/react-query";
import { FolderUp } from "lucide-react";
import { api } from "@/api/client";

/** The creator's drop-folder address and how to fill it (docs/drop-folder.md). */
export function DropFolderPanel() {
  const address = useQuery({
    queryKey: ["drop-folder"],
    queryFn: async () => {
      const { data, response } = await api().GET("/api/drop-folder");
      if (!response.ok || !data) throw new Error(`HTTP ${response.status}`);
      return data;
    },
    staleTime: Infinity,
  });
  if (!address.data) return null;
  const { s3_uri: uri, command } = address.data;
  return (
    <section aria-labelledby="drop-folder-heading" className="grid gap-2 rounded-md border p-4 text-sm">
      <h2 id="drop-folder-heading" className="flex items-center gap-2 text-lg font-semibold">
        <FolderUp aria-hidden className="size-5" /> Your drop folder
      </h2>
      <p className="text-muted-foreground">
        Put a folder of videos here and it becomes a batch by itself: one batch per folder, started when a <code>_start</code> file or a{" "}
        <code>batch.json</code> with <code>"start": true</code> arrives, or after a few quiet minutes.
      </p>
      <code aria-label="Drop folder address" className="break-all rounded bg-muted px-2 py-1">
        {uri}
      </code>
      <p className="text-muted-foreground">From a terminal (signs in with your account, uploads large files in parts):</p>
      <code aria-label="Upload command" className="break-all rounded bg-muted px-2 py-1">
        {command}
      </code>
      <p className="text-muted-foreground">
        Or with any S3 tool and the credentials of your account’s identity pool: <code>{`aws s3 cp --recursive DIR ${uri}DIR/`}</code>
      </p>
    </section>
  );
}
