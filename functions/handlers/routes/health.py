"""Liveness."""

from aws_lambda_powertools.event_handler.api_gateway import Router

router = Router()  # type: ignore[no-untyped-call]


@router.get("/api/health", summary="Liveness check (no token needed)")
def health() -> dict[str, str]:
    return {"status": "ok"}
