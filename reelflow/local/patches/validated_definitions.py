"""A state machine definition moto's ASL parser accepted once is not parsed again to be accepted.

CreateStateMachine and UpdateStateMachine validate the definition by parsing it with moto's ANTLR
parser: ~0.15 s for each of local mode's machines at every start, for definitions that only change
with the code. The digest of each definition the parser accepted is kept in the cache folder
(`reelflow/local/home.py`: `cache_dir()`), one empty file per digest under a folder named for the
moto version; a definition whose digest is there is accepted without the parse. A definition the
parser refuses is never recorded, so it is refused again the same way, and any other text (one
character changed) is parsed. Executions still parse their definition to run it.
"""

import hashlib
from contextlib import suppress
from pathlib import Path

from moto.stepfunctions.parser.models import StepFunctionsParserBackend

from reelflow.local.home import cache_dir
from reelflow.local.patches import MOTO_VERSION

_validate = StepFunctionsParserBackend._validate_definition
_accepted: set[str] = set()


def _record(digest: str) -> Path:
    return cache_dir() / f"asl-accepted-moto-{MOTO_VERSION}" / digest


def _validate_definition(definition: str) -> None:
    digest = hashlib.sha256(definition.encode()).hexdigest()
    record = _record(digest)
    if digest not in _accepted and not record.exists():
        _validate(definition)  # raises InvalidDefinition, as before
        with suppress(OSError):
            record.parent.mkdir(parents=True, exist_ok=True)
            record.touch()
    _accepted.add(digest)


def install() -> None:
    StepFunctionsParserBackend._validate_definition = staticmethod(_validate_definition)  # type: ignore[method-assign]
