"""A small HTTP client of the reelflow API: what any client that only knows HTTP would do."""

from pathlib import Path
from typing import Any

import requests


class ApiError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        detail = body.get("detail") if isinstance(body, dict) else body
        error = body.get("error") if isinstance(body, dict) else "error"
        super().__init__(f"HTTP {status}: {error}: {detail}")


class ApiClient:
    def __init__(self, base_url: str, token: str | None, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self.timeout = timeout

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.session.request(method, f"{self.base_url}{path}", timeout=self.timeout, **kwargs)
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = response.text
        if response.status_code >= 400:
            raise ApiError(response.status_code, body)
        return body

    def create_batch(self, payload: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.request("POST", "/api/batch-jobs", json=payload)
        return result

    def start(self, batch_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.request("POST", f"/api/batch-jobs/{batch_id}/start")
        return result

    def batch(self, batch_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.request("GET", f"/api/batch-jobs/{batch_id}")
        return result

    def batches(self, **params: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.request("GET", "/api/batch-jobs", params=params)
        return result

    def control(self, batch_id: str, action: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST …/pause, …/resume, …/cancel or …/retry-failed."""
        result: dict[str, Any] = self.request("POST", f"/api/batch-jobs/{batch_id}/{action}", json=payload)
        return result

    def delete(self, batch_id: str) -> None:
        self.request("DELETE", f"/api/batch-jobs/{batch_id}")


def upload_file(
    target: dict[str, Any], path: Path, timeout: float = 600.0, client: "ApiClient | None" = None
) -> None:
    """PUT a file to its presigned URL with the headers the URL was signed with; a large file goes in
    parts (each part URL signs its size) and `client` completes the multipart upload."""
    multipart = target.get("multipart")
    if multipart:
        if client is None:
            raise ValueError("a multipart upload is completed through the API: pass the client")
        parts = []
        with path.open("rb") as source:
            for part in multipart["parts"]:
                source.seek((part["part_number"] - 1) * multipart["part_size"])
                chunk = source.read(multipart["part_size"])
                response = requests.put(part["url"], data=chunk, timeout=timeout)
                if response.status_code >= 300:
                    raise ApiError(response.status_code, response.text[:500])
                parts.append({"part_number": part["part_number"], "etag": response.headers["ETag"]})
        client.request("POST", multipart["complete_url"], json={"parts": parts})
        return
    with path.open("rb") as body:
        response = requests.put(
            target["url"], data=body, headers=target.get("headers") or {}, timeout=timeout
        )
    if response.status_code >= 300:
        raise ApiError(response.status_code, response.text[:500])


def download(url: str, destination: Path, timeout: float = 600.0) -> Path:
    destination.parent.mkdir(parents=True, exist_ok=True)
    with requests.get(url, stream=True, timeout=timeout) as response:
        response.raise_for_status()
        with destination.open("wb") as out:
            for chunk in response.iter_content(chunk_size=1024 * 1024):
                out.write(chunk)
    return destination
