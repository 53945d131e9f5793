"""moto's models are not kept alive after moto lets go of them.

moto 5.2.5 appends every instance of every model class to a class-level list (`instances_tracked`,
for its debug dashboard and `reset()`), so nothing it creates is ever freed. Every DynamoDB write
deep-copies its item (the old image for the stream, the undo copy), so each write left two more items
alive for the life of the process: ~4 KB per write of a 30-attribute item, 81 MB per 20,000 writes, a
serve's memory growing with every progress event. Here only S3's keys and multipart uploads are still
tracked (moto's `reset()` closes their buffers, temporary files among them); the others are freed as
soon as nothing refers to them.
"""

from typing import Any

from moto.core.common_models import BaseModel
from moto.s3.models import FakeKey, FakeMultipart

TRACKED: tuple[type, ...] = (FakeKey, FakeMultipart)
_new = BaseModel.__new__


def _model_new(cls: type[BaseModel], *args: Any, **kwargs: Any) -> BaseModel:
    if issubclass(cls, TRACKED):
        return _new(cls, *args, **kwargs)
    return object.__new__(cls)


_installed: list[bool] = []


def install() -> None:
    if _installed:
        return
    _installed.append(True)
    BaseModel.__new__ = _model_new  # type: ignore[method-assign]
