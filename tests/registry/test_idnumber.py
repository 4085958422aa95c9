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
    with pytest.raises(InvalidIdNumber, match="校验位"):
        parse("110105194912310021")


@pytest.mark.parametrize("raw", ["110105194902300021", "110105194913010021", "110105000000000021"])
def test_impossible_date(raw: str) -> None:
    fixed = raw[:17] + check_char(raw[:17])
    with pytest.raises(InvalidIdNumber, match="出生日期"):
        parse(fixed)


def test_future_birth_date_is_rejected() -> None:
    first17 = "11010520990101002"
    with pytest.raises(InvalidIdNumber, match="超出合理范围"):
        parse(first17 + check_char(first17))


@pytest.mark.parametrize("raw", ["", "1101051949123100", "11010519491231002X1", "110105491231002"])
def test_wrong_length(raw: str) -> None:
    with pytest.raises(InvalidIdNumber, match="18位"):
        parse(raw)


def test_letter_inside_is_rejected() -> None:
    with pytest.raises(InvalidIdNumber, match="前17位"):
        parse("1101051949123100AX")


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
