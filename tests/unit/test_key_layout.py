"""Every DynamoDB key string is built in functions/adapters/keys.py and nowhere else."""

import re
from pathlib import Path

from functions.adapters import keys
from functions.domain.enums import BatchStatus, Tier
from functions.domain.models import BatchJob

ROOT = Path(__file__).resolve().parents[2]
KEY_LITERAL = re.compile(r"\b(USER|BATCH|VIDEO|TOKEN|CONN|SUB|TRANSCRIBE|RATE|STATUS|POS|IDEMPOTENCY)#")


def test_key_strings_appear_only_in_the_keys_module():
    allowed = ROOT / "functions" / "adapters" / "keys.py"
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("functions", "reelflow")
        for path in (ROOT / folder).rglob("*.py")
        if path != allowed
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if KEY_LITERAL.search(line)
    ]
    assert offenders == []


def test_the_queue_key_orders_by_priority_plus_plan_bonus(now):
    batch = BatchJob(user_id="u", name="b", tier=Tier.PRO, priority=5, created_at=now, updated_at=now)
    built = keys.batch_keys(batch)
    assert built["GSI3SK"].startswith("92#")  # 99 - (5 + pro bonus 2)
    assert built["GSI3PK"] == keys.status_pk(BatchStatus.PENDING, keys.status_shard(batch.id))
    assert keys.batch_status_keys(batch, BatchStatus.QUEUED)["GSI2PK"] == keys.user_status_pk(
        "u", BatchStatus.QUEUED
    )


def test_status_partitions_are_sharded_and_every_shard_is_read(now):
    made = [BatchJob(user_id="u", name="b", created_at=now, updated_at=now) for _ in range(200)]
    partitions = {keys.batch_status_keys(b, BatchStatus.PROCESSING)["GSI3PK"] for b in made}
    assert partitions == set(keys.status_pks(BatchStatus.PROCESSING)[: keys.STATUS_SHARDS])
    counts = [
        sum(keys.batch_status_keys(b, BatchStatus.PROCESSING)["GSI3PK"] == pk for b in made)
        for pk in partitions
    ]
    assert min(counts) >= 10  # 200 batches spread over 8 shards, none nearly empty
    # a batch keeps its shard whatever its status
    batch = made[0]
    shard = keys.status_shard(batch.id)
    assert all(keys.batch_status_keys(batch, s)["GSI3PK"].endswith(f"#{shard}") for s in BatchStatus)
    assert keys.legacy_status_pk(BatchStatus.QUEUED) in keys.status_pks(BatchStatus.QUEUED)
