"""Domain errors. Handlers map each one to an HTTP status or a state machine error name."""


class DomainError(Exception):
    """Base class: `title` is the short error, `detail` what the user can do about it."""

    title = "Request failed"
    http_status = 400

    def __init__(self, detail: str, title: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if title is not None:
            self.title = title


class NotFound(DomainError):
    title = "Not found"
    http_status = 404


class InvalidRequest(DomainError):
    title = "Invalid request"
    http_status = 400


class Conflict(DomainError):
    title = "Conflict"
    http_status = 409


class QuotaExceeded(DomainError):
    title = "Batch size exceeds your plan limit"
    http_status = 403


class RateLimited(DomainError):
    title = "Too many requests"
    http_status = 429


class MembershipConflict(Conflict):
    """A batch write that would break membership: the batch exists already or has started, or a video
    would be in it twice. Nothing was written."""

    def __init__(self) -> None:
        super().__init__("The batch has started or already exists, or one of the videos is already in it")


class TransactionTooLarge(Conflict):
    """A write DynamoDB refuses whole (a ValidationException, before any condition is read): one
    transaction holds at most `limit` items. Nothing was written."""

    def __init__(self, items: int, limit: int) -> None:
        self.items = items
        super().__init__(
            f"This change writes {items} items at once; one change writes at most {limit}. "
            "Make it in smaller steps.",
            title="Change too large",
        )


class IllegalTransition(Conflict):
    """A status change that the lifecycle forbids, or that lost a race to another writer."""

    def __init__(self, entity: str, current: str | None, action: str) -> None:
        self.entity = entity
        self.current = current
        self.action = action
        state = f"'{current}'" if current else "its current state"
        super().__init__(f"Cannot {action} a {entity} in {state}", title=f"Illegal {entity} transition")


class TaskNotAwaited(Exception):
    """The workflow no longer waits on this task token (its execution ended, or it was answered)."""


class MediaError(Exception):
    """A video cannot be processed. `retryable` says whether trying again could help."""

    retryable = True
    error_type = "MediaProcessingError"


class InvalidMediaError(MediaError):
    """The file is not a decodable video: retrying never helps."""

    retryable = False
    error_type = "InvalidMediaError"


class SourceChangedError(MediaError):
    """The uploaded file is no longer the version checked at the start: retrying never helps (the new
    file must be checked and the video retried)."""

    retryable = False
    error_type = "SourceChangedError"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"{name}: file changed after start (it was replaced after the batch started); "
            "retry the video to process the new file"
        )


class UnsupportedSettingError(MediaError):
    """The chosen engine cannot do what the settings ask (a language, a codec): retrying never helps."""

    retryable = False
    error_type = "UnsupportedSettingError"
