import pytest

from functions.domain.errors import InvalidRequest
from functions.domain.uploads import MAX_FILE_SIZE, check_file, safe_name


@pytest.mark.parametrize("name", ["a.mp4", "B.MOV", "clip.Avi", "x.webm", "my talk.MP4"])
def test_accepted_extensions_ignore_case(name):
    assert check_file(name, 10, None).extension == name[name.rindex(".") :].lower()


@pytest.mark.parametrize("name", ["a.mkv", "a.gif", "noextension", "a.mp4.exe"])
def test_other_files_are_refused_with_the_accepted_list(name):
    with pytest.raises(InvalidRequest, match="MP4, MOV, AVI, WEBM"):
        check_file(name, 10, None)


def test_size_limit_is_2_gb():
    assert check_file("a.mp4", MAX_FILE_SIZE, None).size == MAX_FILE_SIZE
    with pytest.raises(InvalidRequest, match="2 GB"):
        check_file("a.mp4", MAX_FILE_SIZE + 1, None)
    with pytest.raises(InvalidRequest, match="empty"):
        check_file("a.mp4", 0, None)


def test_content_type_must_match_the_extension():
    assert check_file("a.mov", 1, "video/quicktime").content_type == "video/quicktime"
    assert check_file("a.mov", 1, "application/octet-stream").content_type == "video/quicktime"
    assert check_file("a.mp4", 1, None).content_type == "video/mp4"
    with pytest.raises(InvalidRequest, match="does not match"):
        check_file("a.mp4", 1, "video/webm")


def test_safe_names_keep_what_people_recognise():
    assert safe_name("My Talk (final).mp4") == "My_Talk_final_.mp4"
    assert safe_name("../../etc/passwd.mp4") == "passwd.mp4"
    assert safe_name("...") == "video"
