"""Parts of a split render: every kept frame in exactly one part, in order; parts of about the target
length, ending at cuts when one is near; a bounded number of inputs per part."""

from hypothesis import given
from hypothesis import strategies as st

from functions.media.parts import Part, longest_first, split_parts

FPS = 25.0


@st.composite
def kept_timelines(draw: st.DrawFn) -> list[tuple[float, float]]:
    """Frame-aligned, ascending, non-touching intervals."""
    gaps = draw(st.lists(st.tuples(st.integers(0, 200), st.integers(1, 4000)), min_size=1, max_size=60))
    keep: list[tuple[float, float]] = []
    frame = 0
    for gap, length in gaps:
        frame += gap + (1 if keep else 0)
        keep.append((frame / FPS, (frame + length) / FPS))
        frame += length
    return keep


def frames(keep: list[tuple[float, float]] | tuple[tuple[float, float], ...]) -> list[int]:
    return [n for a, b in keep for n in range(round(a * FPS), round(b * FPS))]


@given(kept_timelines(), st.floats(1.0, 200.0), st.integers(1, 10))
def test_parts_cover_every_kept_frame_once_in_order(keep, target, max_pieces):
    parts = split_parts(keep, FPS, target, max_pieces)
    assert [n for part in parts for n in frames(part.pieces)] == frames(keep)
    assert [part.index for part in parts] == list(range(len(parts)))
    position = 0
    for part in parts:
        assert 1 <= len(part.pieces) <= max_pieces
        assert part.offset == round(position / FPS, 6)  # where it lands on the output timeline
        assert part.frames(FPS) <= round(target * FPS)
        position += part.frames(FPS)


def test_a_short_video_is_one_part():
    keep = [(0.0, 10.0), (12.0, 30.0)]
    (part,) = split_parts(keep, FPS, target_seconds=120)
    assert part.pieces == tuple(keep) and part.offset == 0.0


def test_a_part_ends_at_a_cut_when_one_is_in_its_last_quarter():
    keep = [(0.0, 50.0), (52.0, 90.0), (91.0, 200.0)]
    parts = split_parts(keep, FPS, target_seconds=100)
    assert parts[0].pieces == ((0.0, 50.0), (52.0, 90.0))  # 88 s: ends at the cut rather than inside
    assert parts[1].pieces == ((91.0, 191.0),) and parts[2].pieces == ((191.0, 200.0),)


def test_a_long_uncut_stretch_splits_on_frame_boundaries():
    parts = split_parts([(0.0, 250.04)], FPS, target_seconds=100)
    assert [p.pieces for p in parts] == [((0.0, 100.0),), ((100.0, 200.0),), ((200.0, 250.04),)]


def test_parts_start_longest_first_ties_in_their_order():
    durations = [91.0, 91.0, 100.0, 72.0, 100.0]
    parts = [Part(i, ((0.0, d),), 0.0) for i, d in enumerate(durations)]
    assert [part.index for part in longest_first(parts)] == [2, 4, 0, 1, 3]


def test_kept_sound_is_copied_sample_exact_and_padded_when_the_source_ends_early():
    import io

    import numpy as np

    from functions.media.audio_track import copy_kept

    samples = np.arange(150_000, dtype=np.int32)  # s16 stereo: one int32 per sample frame, both channels
    written = io.BytesIO()
    count = copy_kept(
        io.BytesIO(samples.tobytes()), written, [(10, 20), (47_990, 48_010), (149_995, 150_005)]
    )
    assert count == 40
    out = np.frombuffer(written.getvalue(), np.int32)
    expected = [*range(10, 20), *range(47_990, 48_010), *range(149_995, 150_000), 0, 0, 0, 0, 0]
    assert out.tolist() == expected


def test_mono_sound_is_copied_a_sample_of_one_channel_at_a_time():
    import io

    import numpy as np

    from functions.media.audio_track import copy_kept, output_channels

    samples = np.arange(30_000, dtype=np.int16)
    written = io.BytesIO()
    assert copy_kept(io.BytesIO(samples.tobytes()), written, [(5, 9), (29_998, 30_001)], channels=1) == 7
    assert np.frombuffer(written.getvalue(), np.int16).tolist() == [5, 6, 7, 8, 29_998, 29_999, 0]
    assert [output_channels(n) for n in (1, 2, 6, None)] == [1, 2, 2, 2]
