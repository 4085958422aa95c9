"""A CSV file is decoded once, strictly and whole, by ``csv_encoding``; the readers that follow
(``readers._csv`` row by row, ``fastpath._header`` for the bulk path) use the codec it found and so
never meet a decoding error, whatever the bytes."""

from __future__ import annotations

import io

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from jiuzhu.exchange.catalogue import FEEDS
from jiuzhu.exchange.fastpath import _header
from jiuzhu.exchange.readers import FileProblem, csv_encoding, read_rows

HEADER = "id_number,month,employer,amount\n"
# Valid UTF-8, valid GB18030 (GBK 张三), neither (a lone continuation byte, a truncated GB18030 pair).
_BYTES = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=50).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.text(alphabet="张三,0123456789\n-", max_size=50).map(lambda t: t.encode("gb18030")),
)


@settings(max_examples=300, deadline=None)
@given(body=_BYTES, gb=st.booleans())
@example(body=b"\xd5\xc5\xc8\xfd,1\n", gb=True)
@example(body=b"\x80", gb=False)
@example(body=b"abc\xd5", gb=True)
def test_the_detected_codec_reads_every_accepted_file_without_a_decoding_error(body: bytes, gb: bool) -> None:
    content = HEADER.encode("gb18030" if gb else "utf-8") + body
    try:
        encoding = csv_encoding(io.BytesIO(content))
    except FileProblem as refused:
        assert refused.errors == {"file": "无法识别文件编码：请另存为 UTF-8 或 GBK/GB18030 编码的 CSV"}
        return
    assert _header(io.BytesIO(content), encoding)[:2] == ["id_number", "month"]
    list(read_rows(FEEDS["hrss_wage"], io.BytesIO(content), "csv", encoding))


def test_a_file_that_is_neither_codec_is_refused_before_reading() -> None:
    # 0x80 opens no UTF-8 sequence; 0x80 followed by the end of the file is an unfinished GB18030 one.
    with pytest.raises(FileProblem) as exc:
        csv_encoding(io.BytesIO(HEADER.encode() + b"\x80"))
    assert exc.value.errors == {"file": "无法识别文件编码：请另存为 UTF-8 或 GBK/GB18030 编码的 CSV"}
