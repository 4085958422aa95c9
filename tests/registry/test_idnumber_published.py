"""Published identity numbers, one for each of the 11 check characters, and a property test against an
independently written ISO 7064 MOD 11-2.

Nothing here reads the module's weight or check-character tables: the expected check character comes
from the published numbers themselves and from the recursive (Horner) form of MOD 11-2, which uses no
weight table at all. Swapping two characters of the check table or two weights makes these tests fail.

The weighted sums below were worked by hand with the GB 11643 weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2,
e.g. for the standard's own example 11010519491231002X:
  1·7 + 1·9 + 0·10 + 1·5 + 0·8 + 5·4 + 1·2 + 9·1 + 4·6 + 9·3 + 1·7 + 2·9 + 3·10 + 1·5 + 0·8 + 0·4 + 2·2
  = 7 + 9 + 0 + 5 + 0 + 20 + 2 + 9 + 24 + 27 + 7 + 18 + 30 + 5 + 0 + 0 + 4 = 167 = 15·11 + 2,
and (sum mod 11) + check ≡ 1 (mod 11) gives check 10, written X.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from jiuzhu.registry.idnumber import InvalidIdNumber, check_char, is_valid, parse


def mod11_2(first17: str) -> str:
    """ISO 7064 MOD 11-2, pure recursive form: p ← 2·(p + digit) mod 11 over the digits, then the check
    character c satisfies p + c ≡ 1 (mod 11); 10 is written X."""
    p = 0
    for ch in first17:
        p = (p + int(ch)) * 2 % 11
    c = (12 - p) % 11
    return "X" if c == 10 else str(c)


# (number, weighted sum of the first 17 digits worked by hand, birth date, sex, where it is published)
PUBLISHED = [
    ("110101199003078670", 254, date(1990, 3, 7), "M", "id-validator test data"),
    ("360426199101010071", 231, date(1991, 1, 1), "M", "python-stdnum cn.ric example"),
    ("412723199010050012", 219, date(1990, 10, 5), "M", "stdnum cn.ric test data"),
    ("120110198012010073", 141, date(1980, 12, 1), "M", "stdnum cn.ric test data"),
    ("440524188001010014", 195, date(1880, 1, 1), "M", "GB 11643-1999 example (汕头市潮阳县)"),
    ("210202195410244995", 227, date(1954, 10, 24), "M", "ChineseIDValidator test data"),
    ("500154199301135886", 292, date(1993, 1, 13), "F", "id-validator README"),
    ("510102198901010017", 159, date(1989, 1, 1), "M", "public validator test data"),
    ("110102199101010078", 125, date(1991, 1, 1), "M", "stdnum cn.ric test data"),
    ("110101199003070759", 190, date(1990, 3, 7), "M", "public sample number"),
    ("11010519491231002X", 167, date(1949, 12, 31), "F", "GB 11643-1999 example (北京市朝阳区)"),
    ("34052419800101001X", 189, date(1980, 1, 1), "M", "zh.wikipedia example"),
    ("44011320141005001X", 145, date(2014, 10, 5), "M", "python-stdnum cn.ric test data"),
]
# The check character for each residue of the weighted sum mod 11 (GB 11643 table 1).
CHECK_FOR_RESIDUE = dict(zip(range(11), ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"], strict=True))


def test_the_published_numbers_cover_every_check_character() -> None:
    assert {n[17] for n, *_ in PUBLISHED} == set("0123456789X")
    assert {s % 11 for _, s, *_ in PUBLISHED} == set(range(11))


@pytest.mark.parametrize(("number", "weighted", "born", "sex", "source"), PUBLISHED)
def test_published_number_is_accepted(number: str, weighted: int, born: date, sex: str, source: str) -> None:
    assert CHECK_FOR_RESIDUE[weighted % 11] == number[17]  # the hand computation agrees with the number
    assert mod11_2(number[:17]) == number[17]  # and so does the independent algorithm
    assert check_char(number[:17]) == number[17]
    parsed = parse(number, today=date(2026, 11, 15))
    assert (parsed.value, parsed.birth_date, parsed.sex) == (number, born, sex)
    assert parsed.address_code == number[:6]


@pytest.mark.parametrize(("number", "weighted", "born", "sex", "source"), PUBLISHED)
def test_every_other_check_character_is_refused(
    number: str, weighted: int, born: date, sex: str, source: str
) -> None:
    for wrong in sorted(set("0123456789X") - {number[17]}):
        with pytest.raises(InvalidIdNumber) as refused:
            parse(number[:17] + wrong, today=date(2026, 11, 15))
        assert str(refused.value) == "身份证号码校验位错误，请核对号码是否抄错"


_DIGITS = st.text(alphabet="0123456789", min_size=17, max_size=17)


@given(_DIGITS)
@example("00000000000000000")
@example("99999999999999999")
def test_check_char_agrees_with_independent_mod11_2(first17: str) -> None:
    assert check_char(first17) == mod11_2(first17)


@given(
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.dates(min_value=date(1880, 1, 1), max_value=date(2026, 11, 15)),
    st.text(alphabet="0123456789", min_size=3, max_size=3),
    st.sampled_from("0123456789X"),
)
def test_a_number_is_valid_exactly_when_mod11_2_says_so(area: str, born: date, order: str, last: str) -> None:
    number = f"{area}{born:%Y%m%d}{order}{last}"
    expected = mod11_2(number[:17]) == last
    try:
        parse(number, today=date(2026, 11, 15))
        accepted = True
    except InvalidIdNumber as exc:
        assert str(exc) == "身份证号码校验位错误，请核对号码是否抄错"
        accepted = False
    assert accepted is expected
    if born <= date.today():
        assert is_valid(number) is expected
