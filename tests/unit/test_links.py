"""How long a link lives: what was asked, cut to its object's and its signer's remaining life."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from functions.domain.links import (
    CREDENTIAL_MARGIN_SECONDS,
    MIN_LINK_SECONDS,
    Link,
    earliest,
    link_seconds,
    presigned_expiry,
)

NOW = datetime(2026, 3, 1, 12, 0, 0, 500000, tzinfo=UTC)


def test_a_link_lives_as_asked_unless_its_object_or_its_signer_ends_first():
    assert link_seconds(NOW, 3600) == 3600
    assert link_seconds(NOW, 3600, until=NOW + timedelta(minutes=10)) == 600
    credentials = NOW + timedelta(minutes=30)
    assert link_seconds(NOW, 3600, credentials_expire=credentials) == 1800 - CREDENTIAL_MARGIN_SECONDS
    # Never shorter than a minute: a link must still work when the answer arrives.
    assert link_seconds(NOW, 3600, until=NOW + timedelta(seconds=5)) == MIN_LINK_SECONDS


@given(
    wanted=st.integers(60, 7 * 24 * 3600),
    left=st.floats(0, 8 * 24 * 3600),
    session=st.floats(0, 8 * 24 * 3600),
)
def test_a_link_never_outlives_what_signs_it_by_more_than_the_minimum(wanted, left, session):
    seconds = link_seconds(NOW, wanted, NOW + timedelta(seconds=left), NOW + timedelta(seconds=session))
    assert MIN_LINK_SECONDS <= seconds <= wanted
    assert seconds <= max(MIN_LINK_SECONDS, session - CREDENTIAL_MARGIN_SECONDS)
    assert seconds <= max(MIN_LINK_SECONDS, left)


def test_a_response_states_the_first_expiry_of_its_links():
    first, later = Link("a", NOW), Link("b", NOW + timedelta(hours=1))
    assert earliest([later, None, first]) == NOW
    assert earliest([None]) is None


def test_a_sigv4_url_says_when_it_expires():
    url = "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20260301T120000Z&X-Amz-Expires=900&X-Amz-Signature=ab"
    assert presigned_expiry(url) == datetime(2026, 3, 1, 12, 15, tzinfo=UTC)
    assert presigned_expiry(
        "https://b.s3.amazonaws.com/k?AWSAccessKeyId=a&Expires=1772366400&Signature=x"
    ) == (datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    assert presigned_expiry("https://example.com/file.mp4") is None
    assert presigned_expiry("/tmp/local/path") is None
