"""Pushes one message to many WebSocket connections through API Gateway's management API, in parallel.

A connection API Gateway no longer knows answers 410 Gone: its id comes back in `gone` so the caller
removes it. Any other failure of one connection is logged and reported in `failed`; it never stops the
delivery to the others.
"""

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from functions.observability import logger

if TYPE_CHECKING:
    from mypy_boto3_apigatewaymanagementapi import ApiGatewayManagementApiClient


DEFAULT_MAX_WORKERS = 16
# Retries would delay every other connection's message behind one slow endpoint; one attempt each.
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=2, read_timeout=5)

Outcome = Literal["delivered", "gone", "failed"]


@dataclass
class Delivery:
    delivered: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def management_endpoint(api_id: str, region: str, stage: str) -> str:
    """The management endpoint of a deployed WebSocket API stage."""
    return f"https://{api_id}.execute-api.{region}.amazonaws.com/{stage}"


class ConnectionNotifier:
    def __init__(
        self,
        endpoint_url: str | None = None,
        *,
        max_workers: int = DEFAULT_MAX_WORKERS,
        client: "ApiGatewayManagementApiClient | None" = None,
    ) -> None:
        """`endpoint_url` None: the client's default (AWS_ENDPOINT_URL in local mode)."""
        self.client: Any = client or boto3.client(
            "apigatewaymanagementapi", endpoint_url=endpoint_url, config=_CONFIG
        )
        self.max_workers = max(1, max_workers)

    def _post_one(self, connection_id: str, data: bytes) -> Outcome:
        try:
            self.client.post_to_connection(ConnectionId=connection_id, Data=data)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code == "GoneException" or status == 410:
                return "gone"
            logger.warning("post_to_connection failed", extra={"connection_id": connection_id, "code": code})
            return "failed"
        except BotoCoreError as error:
            logger.warning(
                "post_to_connection failed", extra={"connection_id": connection_id, "error": str(error)}
            )
            return "failed"
        return "delivered"

    def post(self, connection_ids: Iterable[str], data: bytes) -> Delivery:
        """Sends `data` to every connection (each id once), at most `max_workers` at a time."""
        ids = list(dict.fromkeys(connection_ids))
        delivery = Delivery()
        if not ids:
            return delivery
        with ThreadPoolExecutor(max_workers=min(self.max_workers, len(ids))) as pool:
            outcomes = list(pool.map(lambda cid: self._post_one(cid, data), ids))
        for connection_id, outcome in zip(ids, outcomes, strict=True):
            getattr(delivery, outcome).append(connection_id)
        return delivery
