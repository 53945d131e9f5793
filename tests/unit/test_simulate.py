"""The capacity simulation, bounded: the real admission and lifecycle code under many users never exceeds a
cap, shares capacity fairly within each plan and keeps every partition key far below DynamoDB's limit."""

from functions.domain.capacity import Capacity
from functions.domain.enums import Tier
from reelflow.simulate import Speeds, Workload, ideal_seconds, jain, simulate


def test_jain_and_the_ideal_time_of_a_batch():
    assert jain([2.0, 2.0, 2.0]) == 1.0
    assert jain([1.0, 0.0, 0.0, 0.0]) == 0.25
    assert ideal_seconds([10, 10, 10, 10], 3) == 20
    assert ideal_seconds([30, 5, 5, 5], 2) == 30


def test_a_busy_hour_of_many_users_holds_every_cap_and_is_fair_within_each_plan():
    # Tight caps so that batches queue at times (about 80 % of what the caps run), and the queue drains.
    caps = Capacity(running_batches=12, videos_in_flight=30, transcribe_jobs=250, fargate_tasks=2)
    workload = Workload(users=300, hours=3.0, batches_per_user_per_day=1.6, seed=3)

    report = simulate(workload, caps, drain_hours=48)

    assert report.caps_held
    assert report.peaks["running batches"] <= 12 and report.peaks["videos in flight"] <= 30
    assert report.peaks["running batches"] == 12  # the queue was really under pressure
    assert sum(p.unfinished for p in report.plans.values()) == 0
    assert all(report.plans[tier].batches > 0 for tier in Tier)
    for tier, figures in report.plans.items():
        assert figures.jain >= 0.9, (tier, figures)
        assert figures.p50_minutes <= figures.p95_minutes <= figures.max_minutes
    assert report.peak_shared_key_writes_per_second < 1000
    assert 0 < report.cost_per_media_minute < 0.1


def test_whisper_on_lambda_costs_less_per_media_minute_than_transcribe_minutes():
    workload = Workload(users=20, hours=1.0, batches_per_user_per_day=2.0, seed=5)
    caps = Capacity(running_batches=20, videos_in_flight=60, transcribe_jobs=250, fargate_tasks=5)

    whisper = simulate(workload, caps, Speeds(transcription="whisper"), drain_hours=24)
    transcribe = simulate(workload, caps, Speeds(transcription="transcribe"), drain_hours=24)

    # The same work; Transcribe adds $0.024 per media minute on top of what whisper's Lambda time costs.
    assert whisper.cost_per_media_minute < transcribe.cost_per_media_minute
    assert transcribe.cost_per_media_minute - whisper.cost_per_media_minute < 0.024
    assert transcribe.cost_per_media_minute > 0.024
