"""ListMultipartUploads says when each upload began, as S3 does. moto 5.2.5 answered a constant
(2010-11-10) for every upload: the drop folder, which counts an upload in progress as activity unless it
began more than a day ago (then the bucket's lifecycle aborts it), took every upload as abandoned, and
started a folder by its quiet period while a big file was still arriving."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from moto.s3.models import FakeMultipart
from moto.s3.responses import S3Response

INITIATED = "initiated"  # the attribute kept on moto's upload (and in the data folder's upload details)
_MOTO_CONSTANT = "2010-11-10T20:48:33.000Z"


def initiated_of(multipart: FakeMultipart) -> datetime:
    return getattr(multipart, INITIATED, None) or datetime.now(UTC)


def _stamped_init(original: Callable[..., None]) -> Callable[..., None]:
    def init(self: FakeMultipart, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        setattr(self, INITIATED, datetime.now(UTC))

    return init


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _listing(original: Callable[..., Any]) -> Callable[..., Any]:
    """moto builds the listing from its uploads in one method; the constant is replaced by each upload's
    own time, matched by upload id, while the listing is built."""

    def list_multipart_uploads(self: S3Response) -> Any:
        uploads = self.backend.list_multipart_uploads(self.bucket_name)
        stamps = {upload_id: _iso(initiated_of(upload)) for upload_id, upload in uploads.items()}
        serialized = self.serialized

        def with_times(result: Any) -> Any:
            for upload in getattr(result, "result", {}).get("Uploads", []):
                if upload.get("Initiated") == _MOTO_CONSTANT and upload.get("UploadId") in stamps:
                    upload["Initiated"] = stamps[upload["UploadId"]]
            return serialized(result)

        self.serialized = with_times  # type: ignore[method-assign,assignment]
        try:
            return original(self)
        finally:
            del self.serialized

    return list_multipart_uploads


_installed: list[bool] = []


def install() -> None:
    if _installed:
        return
    _installed.append(True)
    FakeMultipart.__init__ = _stamped_init(FakeMultipart.__init__)  # type: ignore[method-assign]
    S3Response.list_multipart_uploads = _listing(S3Response.list_multipart_uploads)  # type: ignore[method-assign]
