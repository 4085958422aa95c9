"""Uploads are judged by their first bytes and their size, never by their name or claimed type."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.uploads import check_upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40
PDF = b"%PDF-1.7\n" + b"\x00" * 40


def _file(content: bytes, name: str = "a.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type)


@pytest.mark.parametrize("content", [PNG, JPEG, PDF])
def test_accepted_kinds_whatever_the_name(content: bytes) -> None:
    f = _file(content, name="scan.txt", content_type="text/plain")
    check_upload(f, field="commitment", label="诚信承诺书")
    assert f.read(4) == content[:4]  # left at its start


@pytest.mark.parametrize(
    "content",
    [b"GIF89a" + b"\x00" * 20, b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"MZ\x90\x00", b"%PD"],
)
def test_a_file_named_png_that_is_not_one_is_refused(content: bytes) -> None:
    with pytest.raises(ValidationFailed) as exc:
        check_upload(_file(content), field="commitment", label="诚信承诺书")
    expected = "诚信承诺书：文件格式不受支持，请上传 PNG 图片、JPEG 图片或PDF 文件"
    assert exc.value.errors == {"commitment": expected}


def test_kinds_can_be_narrowed() -> None:
    check_upload(_file(JPEG), field="photo", label="照片", kinds=("png", "jpeg"))
    with pytest.raises(ValidationFailed) as exc:
        check_upload(_file(PDF), field="photo", label="照片", kinds=("png", "jpeg"))
    assert exc.value.errors["photo"] == "照片：文件格式不受支持，请上传 PNG 图片或JPEG 图片"
    with pytest.raises(ValueError, match="unknown upload kinds"):
        check_upload(_file(PNG), field="photo", label="照片", kinds=("gif",))


def test_size_limits() -> None:
    limit = 5 * 1024 * 1024
    check_upload(_file(PDF + b"\x00" * (limit - len(PDF))), field="f", label="授权书")
    with pytest.raises(ValidationFailed) as exc:
        check_upload(_file(PDF + b"\x00" * (limit - len(PDF) + 1)), field="f", label="授权书")
    assert exc.value.errors["f"] == "授权书：文件过大（5.0 MB），不能超过 5 MB，请压缩后重新上传"
    with pytest.raises(ValidationFailed) as exc:
        check_upload(_file(PNG + b"\x00" * 2000), field="f", label="签字", max_bytes=1024)
    assert exc.value.errors["f"] == "签字：文件过大（2 KB），不能超过 1 KB，请压缩后重新上传"
    with pytest.raises(ValidationFailed) as exc:
        check_upload(_file(b""), field="f", label="签字")
    assert exc.value.errors["f"] == "签字：文件是空的，请重新选择后上传"
