"""The user pools' signing key imported once, its prime factors kept in the cache folder.

moto gives every user pool the same RSA key, read from a JWK that holds only n, e and d; importing it
recovers the primes from d (`rsa_recover_prime_factors`), 0.1–0.3 s of every local start, for one key
that never changes. The key is imported once per process and shared by the pools (it is read only:
tokens are signed with it), and the factors the first import recovered (p, q, dp, dq, qi) are kept in
the cache folder (`reelflow/local/home.py`: `cache_dir()`), so the next process imports the complete
key directly. cryptography checks a complete key as it imports it: factors that do not match the key
(a torn or foreign file) are recovered again.
"""

import hashlib
import json
import os
from contextlib import suppress
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import moto.cognitoidp.models as user_pools
from joserfc.jwk import RSAKey
from joserfc.util import int_to_base64

from reelflow.local.home import cache_dir

FACTORS = ("p", "q", "dp", "dq", "qi")
_imported: dict[str, RSAKey] = {}


def _factors_file(text: str) -> Path:
    return cache_dir() / "user-pool-keys" / f"{hashlib.sha256(text.encode()).hexdigest()[:32]}.json"


def _kept_factors(path: Path) -> dict[str, str] | None:
    with suppress(OSError, ValueError):
        kept = json.loads(path.read_text())
        if isinstance(kept, dict) and all(isinstance(kept.get(name), str) for name in FACTORS):
            return {name: kept[name] for name in FACTORS}
    return None


def _keep_factors(path: Path, key: RSAKey) -> None:
    numbers = key.private_key.private_numbers()  # type: ignore[union-attr]
    factors = (numbers.p, numbers.q, numbers.dmp1, numbers.dmq1, numbers.iqmp)
    with suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(dict(zip(FACTORS, map(int_to_base64, factors), strict=True))))
        temporary.replace(path)


def _import(value: dict[str, Any], text: str) -> RSAKey:
    path = _factors_file(text)
    factors = _kept_factors(path)
    if factors is not None:
        with suppress(ValueError):  # cryptography refuses factors that are not this key's
            return RSAKey.import_key({**value, **factors})
    key = RSAKey.import_key(value)
    _keep_factors(path, key)
    return key


def import_key(value: dict[str, Any]) -> RSAKey:
    text = json.dumps(value, sort_keys=True)
    if text not in _imported:
        _imported[text] = _import(value, text)
    return _imported[text]


def install() -> None:
    # what moto's user pool reads of joserfc.jwk: RSAKey.import_key
    user_pools.jwk = SimpleNamespace(RSAKey=SimpleNamespace(import_key=import_key))  # type: ignore[attr-defined,assignment]
