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
    assert built["GSI3PK"] == keys.status_pk(BatchStatus.PENDING)
    assert keys.batch_status_keys(batch, BatchStatus.QUEUED)["GSI2PK"] == keys.user_status_pk(
        "u", BatchStatus.QUEUED
    )
