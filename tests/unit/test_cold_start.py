"""A new start of local mode is a new deployment: every handler's once-per-container state (a fan-out
bound to the gateway and the embedded AWS of the start it was built in) is built again on its next
invocation, as a new Lambda container would; state outside the handlers (a loaded model) is kept."""

import sys
import types
from collections.abc import Iterator
from functools import cache

import pytest

from reelflow.local.invoker import cold_start_all


@pytest.fixture
def modules() -> Iterator[tuple[types.ModuleType, types.ModuleType]]:
    handler = types.ModuleType("functions.handlers._cold_start_probe")
    media = types.ModuleType("functions.media._cold_start_probe")
    for module in (handler, media):
        module.built = cache(object)
        sys.modules[module.__name__] = module
    yield handler, media
    for module in (handler, media):
        del sys.modules[module.__name__]


def test_a_handlers_cached_state_is_built_again_after_a_new_start(
    modules: tuple[types.ModuleType, types.ModuleType],
) -> None:
    handler, media = modules
    first_handler, first_media = handler.built(), media.built()
    assert handler.built() is first_handler  # warm: the same container
    cold_start_all()
    assert handler.built() is not first_handler
    assert media.built() is first_media  # not a handler's: kept
