"""What local mode keeps from one start to the next (the cache folder): botocore's service models parsed
once per installed version, and the state machine definitions moto's parser accepted. Each is only an
accelerator: the answers are the same as without it, and a refused definition stays refused."""

import json
from pathlib import Path
from typing import Any

import pytest
from botocore import loaders
from moto.stepfunctions.parser.api import InvalidDefinition
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.models import StepFunctionsParserBackend

from reelflow.local.patches import service_models, user_pool_key, validated_definitions


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("REELFLOW_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(service_models, "_parsed", {})
    monkeypatch.setattr(service_models, "_listed", {})
    monkeypatch.setattr(validated_definitions, "_accepted", set())
    service_models.install()
    validated_definitions.install()
    return tmp_path / "cache"


def _model_path(service: str) -> str:
    loader = loaders.create_loader()
    version = loader.determine_latest_version(service, "service-2")
    return str(Path(loaders.BOTOCORE_ROOT) / "data" / service / version / "service-2")


def _as_parsed(path: str) -> Any:
    opener = loaders._JSON_OPEN_METHODS[".json.gz"] if Path(path + ".json.gz").exists() else open
    with opener(path + (".json.gz" if Path(path + ".json.gz").exists() else ".json"), "rb") as file:
        return json.loads(file.read())


def test_a_model_is_the_file_parsed_and_each_caller_gets_its_own_copy(cache: Path) -> None:
    path = _model_path("stepfunctions")
    first = loaders.JSONFileLoader().load_file(path)
    assert first == _as_parsed(path)
    first["metadata"]["serviceId"] = "changed by one caller"  # botocore merges extras in place
    again = loaders.JSONFileLoader().load_file(path)
    assert again == _as_parsed(path)


def test_the_next_process_reads_the_cache_and_a_torn_cache_file_is_parsed_again(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _model_path("sqs")
    expected = loaders.JSONFileLoader().load_file(path)
    kept = list((cache / "service-models").iterdir())
    assert len(kept) == 1
    monkeypatch.setattr(service_models, "_parsed", {})  # a new process: only the folder is left
    parsed: list[str] = []
    real_parse = service_models._Source.parse

    def parse(source: service_models._Source) -> Any:
        parsed.append(source.path)
        return real_parse(source)

    monkeypatch.setattr(service_models._Source, "parse", parse)
    assert loaders.JSONFileLoader().load_file(path) == expected
    assert parsed == []  # read from the cache folder
    monkeypatch.setattr(service_models, "_parsed", {})
    kept[0].write_bytes(kept[0].read_bytes()[:100])  # a write cut short
    assert loaders.JSONFileLoader().load_file(path) == expected
    assert len(parsed) == 1


def test_a_cache_folder_that_cannot_be_written_only_costs_the_parse(
    cache: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("REELFLOW_CACHE", str(blocker))
    path = _model_path("sns")
    assert loaders.JSONFileLoader().load_file(path) == _as_parsed(path)
    assert loaders.JSONFileLoader().load_file(path + "-no-such-model") is None


def test_the_service_folders_are_listed_once_per_search_path(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed: list[str] = []
    real = service_models._original_list

    def list_services(loader: loaders.Loader, kind: str) -> list[str]:
        listed.append(kind)
        return real(loader, kind)

    monkeypatch.setattr(service_models, "_original_list", list_services)
    first = loaders.create_loader().list_available_services("service-2")
    first.append("not a service")  # the caller's own list
    again = loaders.create_loader().list_available_services("service-2")
    assert "stepfunctions" in again and "not a service" not in again
    assert listed == ["service-2"]


DEFINITION = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}


def test_a_definition_accepted_once_is_not_parsed_again_and_a_refused_one_stays_refused(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses: list[str] = []
    real = AmazonStateLanguageParser.parse

    def parse(text: str) -> Any:
        parses.append(text)
        return real(text)

    monkeypatch.setattr(AmazonStateLanguageParser, "parse", staticmethod(parse))
    good = json.dumps(DEFINITION)
    StepFunctionsParserBackend._validate_definition(good)
    monkeypatch.setattr(validated_definitions, "_accepted", set())  # a new process
    StepFunctionsParserBackend._validate_definition(good)
    assert parses == [good]
    changed = json.dumps({**DEFINITION, "States": {"Done": {"Type": "NoSuchType", "End": True}}})
    for _ in range(2):
        with pytest.raises(InvalidDefinition):
            StepFunctionsParserBackend._validate_definition(changed)
    assert parses == [good, changed, changed]


def test_the_user_pools_key_is_imported_once_and_its_factors_kept(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from joserfc.jwk import RSAKey
    from moto.cognitoidp import models as user_pools
    from moto.utilities.utils import load_resource

    user_pool_key.install()
    monkeypatch.setattr(user_pool_key, "_imported", {})
    value = load_resource("cognitoidp/resources/jwks-private.json")
    assert "p" not in value  # what moto ships: the primes are recovered from d
    expected = RSAKey.import_key(value).private_key.private_numbers()
    key = user_pools.jwk.RSAKey.import_key(value)
    assert key.private_key.private_numbers() == expected
    assert user_pools.jwk.RSAKey.import_key(dict(value)) is key  # every pool: the same key
    kept = list((cache / "user-pool-keys").iterdir())
    assert len(kept) == 1
    monkeypatch.setattr(user_pool_key, "_imported", {})  # a new process: the kept factors
    complete: list[bool] = []  # for each import: were the primes given?
    real = RSAKey.import_key

    def import_key(value: dict[str, Any]) -> RSAKey:
        complete.append("p" in value)
        return real(value)

    monkeypatch.setattr(user_pool_key.RSAKey, "import_key", import_key)
    assert user_pools.jwk.RSAKey.import_key(value).private_key.private_numbers() == expected
    assert complete == [True]
    monkeypatch.setattr(user_pool_key, "_imported", {})
    factors = json.loads(kept[0].read_text())
    kept[0].write_text(json.dumps({**factors, "p": factors["q"]}))  # not its primes
    assert user_pools.jwk.RSAKey.import_key(value).private_key.private_numbers() == expected
    assert complete == [True, True, False]
