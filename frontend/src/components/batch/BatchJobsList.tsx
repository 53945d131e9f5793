import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { ChevronLeft, ChevronRight, Download, Eye, MoreHorizontal, Pause, Play, Plus, RotateCcw, Trash2, XCircle } from "lucide-react";
import * as React from "react";
import { type ListParams, getBatchJobs } from "@/api/client";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Label, Select } from "@/components/ui/form";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { type BatchAction, actionsFor } from "@/hooks/useBatchActions";
import { useConfirmedBatchActions } from "./ConfirmBatchAction";
import { relativeTime } from "@/lib/utils";
import { BATCH_STATUSES, type BatchJob, type BatchJobStatus, RUNNING_STATUSES } from "@/types/batch";
import { OutcomeBar } from "./OutcomeBar";
import { StatusBadge } from "./status";
import { HelpLink } from "@/components/HelpLink";

export type SortKey = "newest" | "oldest" | "status" | "progress" | "name";
/** Every order is the server's, so it holds across pages (name and progress cover the newest 1000 batches). */
const SERVER_SORT: Record<SortKey, Pick<ListParams, "sort" | "order">> = {
  newest: { sort: "created_at", order: "desc" },
  oldest: { sort: "created_at", order: "asc" },
  status: { sort: "status" },
  progress: { sort: "progress", order: "desc" },
  name: { sort: "name", order: "asc" },
};

export interface BatchJobsListProps {
  onJobClick?: (batch: BatchJob) => void;
  onCreate?: () => void;
  onExport?: (batch: BatchJob) => void;
  refreshInterval?: number;
  pageSize?: number;
}

const ICON: Record<BatchAction, React.ReactNode> = {
  start: <Play aria-hidden />,
  pause: <Pause aria-hidden />,
  resume: <Play aria-hidden />,
  cancel: <XCircle aria-hidden />,
  retry: <RotateCcw aria-hidden />,
  delete: <Trash2 aria-hidden />,
};
const LABEL: Record<BatchAction, string> = {
  start: "Start",
  pause: "Pause",
  resume: "Resume",
  cancel: "Cancel",
  retry: "Retry failed",
  delete: "Delete",
};

export function BatchJobsList({ onJobClick, onCreate, onExport, refreshInterval = 5000, pageSize = 20 }: BatchJobsListProps) {
  const id = React.useId();
  const [status, setStatus] = React.useState<BatchJobStatus | "all">("all");
  const [sort, setSort] = React.useState<SortKey>("newest");
  const [page, setPage] = React.useState(0);
  const actions = useConfirmedBatchActions();
  const query = useQuery({
    queryKey: ["batch-jobs", status, sort, page, pageSize],
    queryFn: () =>
      getBatchJobs({
        status: status === "all" ? undefined : status,
        ...SERVER_SORT[sort],
        limit: pageSize,
        offset: page * pageSize,
      }),
    placeholderData: keepPreviousData,
    refetchInterval: (q) =>
      q.state.data?.batch_jobs.some((b) => RUNNING_STATUSES.includes(b.status)) ? refreshInterval : false,
    refetchIntervalInBackground: true,
  });
  const rows = query.data?.batch_jobs ?? [];
  const total = query.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / pageSize));

  return (
    <div className="grid gap-3">
      {actions.dialog}
      <div className="flex flex-wrap items-end gap-3">
        <div className="grid gap-1.5">
          <Label htmlFor={`${id}-status`}>Status</Label>
          <Select
            id={`${id}-status`}
            value={status}
            onChange={(event) => {
              setStatus(event.target.value as BatchJobStatus | "all");
              setPage(0);
            }}
          >
            <option value="all">All</option>
            {BATCH_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s[0]!.toUpperCase() + s.slice(1)}
              </option>
            ))}
          </Select>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor={`${id}-sort`}>Sort by</Label>
          <Select
            id={`${id}-sort`}
            value={sort}
            onChange={(event) => {
              setSort(event.target.value as SortKey);
              setPage(0);
            }}
          >
            <option value="newest">Newest first</option>
            <option value="oldest">Oldest first</option>
            <option value="status">Status</option>
            <option value="progress">Progress</option>
            <option value="name">Name</option>
          </Select>
        </div>
      </div>

      {query.error && (
        <p role="alert" className="text-sm text-red-800">
          Could not load batches: {String((query.error as Error).message)}{" "}
          <HelpLink message={`Could not load: ${(query.error as Error).message}`} />
        </p>
      )}

      {!query.isLoading && rows.length === 0 && !query.error ? (
        <div className="grid justify-items-center gap-3 rounded-lg border border-dashed border-border p-8 text-center">
          <p className="font-medium">{status === "all" ? "No batch jobs yet" : `No ${status} batches`}</p>
          {onCreate && status === "all" && (
            <Button onClick={onCreate}>
              <Plus aria-hidden /> Create batch
            </Button>
          )}
        </div>
      ) : (
        <Table cards aria-label="Batch jobs" aria-busy={query.isLoading}>
          <TableHeader>
            <TableRow>
              <TableHead>Name</TableHead>
              <TableHead className="hidden lg:table-cell">Description</TableHead>
              <TableHead>Status</TableHead>
              <TableHead className="hidden sm:table-cell">Videos</TableHead>
              <TableHead>Progress</TableHead>
              <TableHead className="hidden md:table-cell">Created</TableHead>
              <TableHead>
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {query.isLoading
              ? Array.from({ length: 5 }, (_, i) => (
                  <TableRow key={i} data-testid="skeleton-row">
                    {Array.from({ length: 7 }, (__, j) => (
                      <TableCell key={j}>
                        <Skeleton className="h-4 w-full" />
                      </TableCell>
                    ))}
                  </TableRow>
                ))
              : rows.map((batch) => {
                  const done = batch.completed_videos + batch.failed_videos + batch.cancelled_videos;
                  return (
                    <TableRow key={batch.id} data-batch-id={batch.id}>
                      <TableCell className="max-w-48 font-medium">
                        <button
                          type="button"
                          className="truncate rounded-sm text-left hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
                          onClick={() => onJobClick?.(batch)}
                        >
                          {batch.name}
                        </button>
                      </TableCell>
                      <TableCell className="hidden max-w-56 truncate text-muted-foreground lg:table-cell">
                        {batch.description ?? ""}
                      </TableCell>
                      <TableCell>
                        <StatusBadge status={batch.status} />
                      </TableCell>
                      <TableCell className="hidden tabular-nums sm:table-cell">
                        {done}/{batch.total_videos}
                        {(batch.failed_videos > 0 || batch.cancelled_videos > 0) && (
                          <span className="block text-xs">
                            {batch.failed_videos > 0 && <span className="text-red-800">{batch.failed_videos} failed</span>}
                            {batch.failed_videos > 0 && batch.cancelled_videos > 0 && " · "}
                            {batch.cancelled_videos > 0 && (
                              <span className="text-muted-foreground">{batch.cancelled_videos} cancelled</span>
                            )}
                          </span>
                        )}
                      </TableCell>
                      <TableCell className="min-w-24">
                        <div className="flex items-center gap-2">
                          <OutcomeBar batch={batch} className="w-16" />
                          <span className="text-xs tabular-nums">{batch.progress_percentage}%</span>
                        </div>
                      </TableCell>
                      <TableCell className="hidden whitespace-nowrap text-muted-foreground md:table-cell">
                        <time dateTime={batch.created_at}>{relativeTime(batch.created_at)}</time>
                      </TableCell>
                      <TableCell>
                        <DropdownMenu>
                          <DropdownMenuTrigger asChild>
                            <Button size="icon" variant="ghost" aria-label={`Actions for ${batch.name}`}>
                              <MoreHorizontal aria-hidden />
                            </Button>
                          </DropdownMenuTrigger>
                          <DropdownMenuContent align="end">
                            <DropdownMenuItem onSelect={() => onJobClick?.(batch)}>
                              <Eye aria-hidden /> View
                            </DropdownMenuItem>
                            {batch.status === "completed" && onExport && (
                              <DropdownMenuItem onSelect={() => onExport(batch)}>
                                <Download aria-hidden /> Export
                              </DropdownMenuItem>
                            )}
                            <DropdownMenuSeparator />
                            {actionsFor(batch).map((action) => (
                              <DropdownMenuItem
                                key={action}
                                onSelect={() => actions.request(action, batch)}
                                className={action === "delete" ? "text-red-800" : undefined}
                              >
                                {ICON[action]} {LABEL[action]}
                              </DropdownMenuItem>
                            ))}
                          </DropdownMenuContent>
                        </DropdownMenu>
                      </TableCell>
                    </TableRow>
                  );
                })}
          </TableBody>
        </Table>
      )}

      {pages > 1 && (
        <nav aria-label="Pagination" className="flex flex-wrap items-center justify-end gap-1">
          <Button size="sm" variant="outline" disabled={page === 0} onClick={() => setPage((p) => p - 1)}>
            <ChevronLeft aria-hidden /> Previous
          </Button>
          {Array.from({ length: pages }, (_, i) => (
            <Button
              key={i}
              size="sm"
              variant={i === page ? "default" : "ghost"}
              aria-current={i === page ? "page" : undefined}
              aria-label={`Page ${i + 1}`}
              onClick={() => setPage(i)}
            >
              {i + 1}
            </Button>
          ))}
          <Button size="sm" variant="outline" disabled={page >= pages - 1} onClick={() => setPage((p) => p + 1)}>
            Next <ChevronRight aria-hidden />
          </Button>
        </nav>
      )}
    </div>
  );
}
