"""What every repository module shares: the table, paginated queries, the UpdateExpression builder and
conditions. Conditions are always `boto3.dynamodb.conditions` objects; updates always come from `Update`."""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Attr, ConditionBase, ConditionExpressionBuilder
from botocore.exceptions import ClientError

from functions.adapters import aws
from functions.adapters.dynamo_codec import to_dynamo
from functions.domain.errors import TransactionTooLarge
from functions.domain.membership import TRANSACTION_ITEMS

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


@dataclass
class Update:
    """An UpdateExpression assembled from plain fields: SET (None removes), ADD (atomic counters), REMOVE."""

    set: Mapping[str, Any] = field(default_factory=dict)
    add: Mapping[str, int | float] = field(default_factory=dict)
    remove: Iterable[str] = ()

    @staticmethod
    def _path(names: dict[str, str], prefix: str, name: str) -> str:
        """`a.b` addresses attribute b inside map a; each segment gets its own placeholder."""
        segments = []
        for j, segment in enumerate(name.split(".")):
            names[f"#{prefix}_{j}"] = segment
            segments.append(f"#{prefix}_{j}")
        return ".".join(segments)

    def render(self) -> dict[str, Any]:
        """UpdateItem arguments (without the condition, which the caller passes as ConditionExpression)."""
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        set_parts, add_parts, remove_parts = [], [], []
        for i, (name, value) in enumerate(self.set.items()):
            path = self._path(names, f"s{i}", name)
            if value is None:
                remove_parts.append(path)
            else:
                values[f":s{i}"] = to_dynamo(value)
                set_parts.append(f"{path} = :s{i}")
        for i, (name, amount) in enumerate(self.add.items()):
            names[f"#a{i}"] = name
            values[f":a{i}"] = to_dynamo(amount)
            add_parts.append(f"#a{i} :a{i}")
        for i, name in enumerate(self.remove):
            names[f"#r{i}"] = name
            remove_parts.append(f"#r{i}")
        clauses = []
        if set_parts:
            clauses.append("SET " + ", ".join(set_parts))
        if add_parts:
            clauses.append("ADD " + ", ".join(add_parts))
        if remove_parts:
            clauses.append("REMOVE " + ", ".join(remove_parts))
        rendered: dict[str, Any] = {"UpdateExpression": " ".join(clauses), "ExpressionAttributeNames": names}
        if values:
            rendered["ExpressionAttributeValues"] = values
        return rendered


def exists() -> ConditionBase:
    return Attr("PK").exists()


def status_in(statuses: Iterable[str]) -> ConditionBase:
    return exists() & Attr("status").is_in(sorted(statuses))


def transaction_item(
    table_name: str, condition: ConditionBase, update: Update | None = None, **fields: Any
) -> dict[str, Any]:
    """A TransactWriteItems element: boto3 renders conditions only for top-level calls, so here the
    same condition object is rendered by boto3's own builder and merged with the update's placeholders."""
    built = ConditionExpressionBuilder().build_expression(condition)
    rendered = update.render() if update else {}
    names = {**rendered.pop("ExpressionAttributeNames", {}), **built.attribute_name_placeholders}
    values = {**rendered.pop("ExpressionAttributeValues", {}), **built.attribute_value_placeholders}
    item: dict[str, Any] = {
        "TableName": table_name,
        **fields,
        **rendered,
        "ConditionExpression": built.condition_expression,
        "ExpressionAttributeNames": names,
    }
    if values:
        item["ExpressionAttributeValues"] = values
    return item


def is_condition_failure(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code", "")
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        reasons = error.response.get("CancellationReasons", [])
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons) or not reasons
    return False


def is_transaction_too_large(error: ClientError) -> bool:
    """DynamoDB's ValidationException for a TransactWriteItems of more items than one holds."""
    details = error.response.get("Error", {})
    message = str(details.get("Message", ""))
    return (
        details.get("Code") == "ValidationException"
        and "transactItems" in message
        and "less than or equal to" in message
    )


class DynamoTable:
    """Base of the repository modules: one table, reads as GetItem or Query (never Scan)."""

    def __init__(self, table_name: str) -> None:
        self.table: Table = aws.dynamodb().Table(table_name)
        self.table_name = table_name

    def query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        while True:
            page = self.table.query(**kwargs)
            yield from page.get("Items", [])
            last = page.get("LastEvaluatedKey")
            if not last:
                return
            kwargs["ExclusiveStartKey"] = last

    def get_item(self, key: Mapping[str, str], consistent: bool = True) -> dict[str, Any] | None:
        return self.table.get_item(Key=dict(key), ConsistentRead=consistent).get("Item")

    def transact(self, items: list[dict[str, Any]]) -> bool:
        """Run a write transaction; False when a condition failed (nothing was written). One of more
        items than a transaction holds raises TransactionTooLarge (nothing was written either)."""
        try:
            self.table.meta.client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as error:
            if is_condition_failure(error):
                return False
            if is_transaction_too_large(error):
                raise TransactionTooLarge(len(items), TRANSACTION_ITEMS) from error
            raise
        return True

    def update_item(
        self, key: Mapping[str, str], update: Update, condition: ConditionBase, **extra: Any
    ) -> Any:
        """UpdateItem; raises ConditionFailed when `condition` does not hold."""
        try:
            return self.table.update_item(
                Key=dict(key), ConditionExpression=condition, **update.render(), **extra
            )
        except ClientError as error:
            if is_condition_failure(error):
                raise ConditionFailed from error
            raise


class ConditionFailed(Exception):
    """A conditional write found the item in another state; each repository says what that means."""
