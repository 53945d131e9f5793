"""Powertools Idempotency on the single table: a retried request with the same key returns the first
result without running the operation again. Records expire through the table's TTL attribute."""

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar, cast

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import PydanticSerializer
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from functions.adapters.keys import idempotency_pk

M = TypeVar("M", bound=BaseModel)
RETRY_WINDOW_SECONDS = 24 * 3600
_CONFIG = IdempotencyConfig(expires_after_seconds=RETRY_WINDOW_SECONDS)


def register_lambda_context(context: LambdaContext) -> None:
    """Lets Powertools expire an in-progress record when the invocation that wrote it times out."""
    _CONFIG.register_lambda_context(context)


@cache
def _store(table_name: str, operation: str) -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(
        table_name=table_name,
        key_attr="PK",
        sort_key_attr="SK",
        static_pk_value=idempotency_pk(operation),
        expiry_attr="expires_at_epoch",
        status_attr="idempotency_status",
    )


def once(table_name: str, operation: str, result_type: type[M]) -> Callable[..., M]:
    """`run(attempt={...}, work=callable)`: `attempt` (who and which key) identifies the request."""
    store = _store(table_name, operation)

    @idempotent_function(  # type: ignore[untyped-decorator]
        data_keyword_argument="attempt",
        persistence_store=store,
        config=_CONFIG,
        output_serializer=PydanticSerializer(model=result_type),
    )
    def run(*, attempt: dict[str, Any], work: Callable[[], M]) -> M:
        return work()

    return cast(Callable[..., M], run)


def reset() -> None:
    _store.cache_clear()
