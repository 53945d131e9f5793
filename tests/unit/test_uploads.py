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


def test_unicode_names_keep_their_letters_and_emoji():
    from functions.adapters.object_store import content_disposition
    from functions.domain.object_keys import output_key

    assert safe_name("Отпуск 🌊.mp4") == "Отпуск_🌊.mp4"
    assert safe_name("Интервью.MOV") == "Интервью.MOV"
    assert safe_name("👨\u200d👩\u200d👧.mp4") == "👨\u200d👩\u200d👧.mp4"
    assert safe_name("e\u0301te\u0301.mp4") == "été.mp4"  # NFC: one spelling per name
    assert output_key("b", 1, safe_name("Отпуск 🌊.mp4"), "mp4") == "outputs/b/001_Отпуск_🌊.mp4"
    assert content_disposition("plain.mp4") == 'attachment; filename="plain.mp4"'
    assert content_disposition("Отпуск.mp4") == (
        "attachment; filename=\"______.mp4\"; filename*=UTF-8''%D0%9E%D1%82%D0%BF%D1%83%D1%81%D0%BA.mp4"
    )
