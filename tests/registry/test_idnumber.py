from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.registry import idnumber
from jiuzhu.registry.idnumber import InvalidIdNumber, check_char, parse

# Published GB 11643 example: 11010519491231002X (female, born 1949-12-31).
VALID = "11010519491231002X"


def test_valid_number_yields_birth_date_and_sex() -> None:
    p = parse(VALID)
    assert p.birth_date == date(1949, 12, 31)
    assert p.sex == "F"
    assert p.address_code == "110105"


def test_lowercase_x_and_spaces_are_normalised() -> None:
    assert parse(" 11010519491231002x ").value == VALID


def test_full_width_digits_are_accepted() -> None:
    full = "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in VALID)
    assert parse(full).value == VALID


def test_wrong_check_digit() -> None:
    with pytest.raises(InvalidIdNumber) as refused:
        parse("110105194912310021")
    assert str(refused.value) == "身份证号码校验位错误，请核对号码是否抄错"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("110105194902300021", "19490230"),
        ("110105194913010021", "19491301"),
        ("110105000000000021", "00000000"),
    ],
)
def test_impossible_date(raw: str, shown: str) -> None:
    fixed = raw[:17] + check_char(raw[:17])
    with pytest.raises(InvalidIdNumber) as refused:
        parse(fixed)
    assert str(refused.value) == f"身份证号码中的出生日期不存在：{shown}"


def test_future_birth_date_is_rejected() -> None:
    first17 = "11010520990101002"
    with pytest.raises(InvalidIdNumber) as refused:
        parse(first17 + check_char(first17))
    assert str(refused.value) == "身份证号码中的出生日期超出合理范围：2099-01-01"


@pytest.mark.parametrize(
    ("raw", "length"),
    [("", 0), ("1101051949123100", 16), ("11010519491231002X1", 19), ("110105491231002", 15)],
)
def test_wrong_length(raw: str, length: int) -> None:
    with pytest.raises(InvalidIdNumber) as refused:
        parse(raw)
    assert str(refused.value) == f"身份证号码应为18位，实际为{length}位"


def test_letter_inside_is_rejected() -> None:
    with pytest.raises(InvalidIdNumber) as refused:
        parse("1101051949123100AX")
    assert str(refused.value) == "身份证号码前17位必须是数字，最后一位是数字或X"


def test_mask_keeps_first_three_and_last_four() -> None:
    assert idnumber.mask(VALID) == "110***********002X"


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31)),
    st.integers(min_value=0, max_value=999),
    st.sampled_from(["110105", "440304", "980101"]),
)
def test_generated_numbers_round_trip(born: date, order: int, area: str) -> None:
    first17 = f"{area}{born:%Y%m%d}{order:03d}"
    p = parse(first17 + check_char(first17))
    assert p.birth_date == born
    assert p.sex == ("M" if order % 2 else "F")


@given(st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_is_detected(pos: int, delta: int) -> None:
    digits = list(VALID)
    digits[pos] = str((int(digits[pos]) + delta) % 10)
    changed = "".join(digits)
    assert not idnumber.is_valid(changed)


def test_spaces_inside_and_full_width_x_are_normalised() -> None:
    assert parse("110105 19491231 002X").value == VALID
    assert parse("11010519491231002Ｘ").value == VALID  # full-width capital X
    assert parse("11010519491231002ｘ").value == VALID  # full-width small x


def test_a_number_of_someone_born_today_is_accepted() -> None:
    first17 = "11010520261115002"
    assert parse(first17 + check_char(first17), today=date(2026, 11, 15)).birth_date == date(2026, 11, 15)


def test_check_char_needs_exactly_17_digits() -> None:
    with pytest.raises(ValueError):
        check_char("1101051949123100")
    with pytest.raises(ValueError):
        check_char("110105194912310020")


@pytest.mark.parametrize(
    ("value", "masked"),
    [("1234567", "*******"), ("12345678", "123*5678"), ("", ""), ("123456789", "123**6789")],
)
def test_mask_of_short_values(value: str, masked: str) -> None:
    assert idnumber.mask(value) == masked
