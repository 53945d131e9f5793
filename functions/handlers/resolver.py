"""The HTTP resolver, with schemas no route returns in its OpenAPI document (the WebSocket's progress
events): Powertools only lists the models routes use, and clients of the WebSocket API need the rest."""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.models import Components, OpenAPI, Schema


class DocumentedResolver(APIGatewayHttpResolver):
    def __init__(self, *, extra_schemas: Callable[[], dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._extra_schemas = extra_schemas

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> OpenAPI:
        document = super().get_openapi_schema(*args, **kwargs)
        components = document.components or Components()
        schemas = dict(components.schemas or {})
        for name, schema in self._extra_schemas().items():
            schemas.setdefault(name, Schema.model_validate(schema))
        components.schemas = dict(sorted(schemas.items()))
        document.components = components
        return document
