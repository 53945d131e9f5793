"""Local mode's moto patches live in one registry, checked before anything is patched."""

from pathlib import Path

import pytest

from reelflow.local import patches as moto_patches
from reelflow.local.patches import MOTO_VERSION, REGISTRY, MotoMismatch, Patch


def test_every_patched_attribute_exists_in_the_installed_moto() -> None:
    assert moto_patches.problems(lazy=True) == []
    assert len({p.target for p in REGISTRY}) == len(REGISTRY)


def test_another_moto_version_is_refused_with_a_clear_message() -> None:
    with pytest.raises(MotoMismatch) as refused:
        moto_patches.check("5.3.0")
    message = str(refused.value)
    assert "moto 5.3.0 is installed" in message and f"moto[server]=={MOTO_VERSION}" in message


def test_a_patched_attribute_that_disappeared_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    gone = Patch("moto.dynamodb.models:DynamoDBBackend.no_such_method", "transactions", "a renamed method")
    monkeypatch.setattr(moto_patches, "REGISTRY", (*REGISTRY, gone))
    with pytest.raises(MotoMismatch, match=r"DynamoDBBackend\.no_such_method no longer exists"):
        moto_patches.check(MOTO_VERSION)


def test_local_mode_refuses_to_start_on_another_moto(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from reelflow.local.cloud import LocalCloud, LocalSettings

    monkeypatch.setattr(moto_patches, "_installed", [])
    monkeypatch.setattr(moto_patches, "version", lambda _name: "6.0.0")
    cloud = LocalCloud(LocalSettings(work_dir=tmp_path))
    with pytest.raises(MotoMismatch, match=r"moto 6\.0\.0 is installed"):
        cloud.start()
    assert cloud.server is None  # nothing was started


def test_every_registered_patch_names_a_module_that_installs_it() -> None:
    for patch in REGISTRY:
        module = moto_patches.installer_module(patch.installer)
        assert callable(module.install), patch
        assert patch.installer in moto_patches.ORDER or patch.installer == "persistence", patch
