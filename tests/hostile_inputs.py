"""Hostile requests and the answer each must get: shared by the handler test and the HTTP test."""

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Hostile:
    name: str
    body: bytes
    content_type: str
    status: int
    detail: str  # a piece of the detail the client gets


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


CASES = [
    Hostile("non-UTF-8 body", b'{"name":"\xff\xfe","video_count":1}', "application/json", 400, "not UTF-8"),
    Hostile("multipart without boundary", b"--x\r\n\r\n", "multipart/form-data", 415, "application/json"),
    Hostile("wrong content type", _json({"name": "a", "video_count": 1}), "text/plain", 415, "text/plain"),
    Hostile(
        "integer of 5000 digits",
        b'{"name":"a","video_count":' + b"9" * 5000 + b"}",
        "application/json",
        400,
        "5000 digits",
    ),
    Hostile("JSON nested 5000 deep", b"[" * 5000 + b"]" * 5000, "application/json", 400, "nested too deeply"),
    Hostile(
        "5 MB body",
        b'{"name":"' + b"a" * 5_000_000 + b'","video_count":1}',
        "application/json",
        413,
        "at most 1048576",
    ),
    Hostile(
        "malformed JSON",
        b'{"name": "a" "video_count": 1}',
        "application/json",
        400,
        "Expecting ',' delimiter at line 1 column 14",
    ),
    Hostile(
        "name with a control character",
        _json({"name": "a\x07b", "video_count": 1}),
        "application/json",
        422,
        "U+0007",
    ),
    Hostile("name with NUL", _json({"name": "a\x00b", "video_count": 1}), "application/json", 422, "U+0000"),
    Hostile(
        "name with a bidi override",
        _json({"name": "a\u202eb", "video_count": 1}),
        "application/json",
        422,
        "U+202E",
    ),
    Hostile(
        "name of whitespace", _json({"name": " \t ", "video_count": 1}), "application/json", 422, "whitespace"
    ),
    Hostile(
        "file name with NUL",
        _json({"name": "a", "files": [{"name": "x\x00.mp4", "size": 10}]}),
        "application/json",
        422,
        "files.0.name",
    ),
    Hostile("lone surrogate", b'{"name":"a\\ud800","video_count":1}', "application/json", 422, "name"),
    Hostile(
        "video_count true", _json({"name": "a", "video_count": True}), "application/json", 422, "video_count"
    ),
    Hostile(
        "video_count '3'", _json({"name": "a", "video_count": "3"}), "application/json", 422, "video_count"
    ),
    Hostile(
        "a setting as a string",
        _json({"name": "a", "video_count": 1, "settings": {"transcribe": "yes"}}),
        "application/json",
        422,
        "settings.transcribe",
    ),
]
