import pytest

from jiuzhu.regions.codes import (
    InvalidRegionCode,
    Level,
    ancestor_codes,
    is_within,
    level_of,
    parent_candidates,
    subtree_bounds,
)


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("110000000000", Level.PROVINCE),
        ("110100000000", Level.CITY),
        ("110101000000", Level.COUNTY),
        ("110101001000", Level.TOWNSHIP),
        ("110101001001", Level.VILLAGE),
    ],
)
def test_level_of(code: str, level: Level) -> None:
    assert level_of(code) is level


@pytest.mark.parametrize("bad", ["11010100100", "1101010010011", "11010100100a", "000000000000", ""])
def test_invalid_codes(bad: str) -> None:
    with pytest.raises(InvalidRegionCode):
        level_of(bad)


def test_subtree_bounds_are_a_contiguous_range() -> None:
    assert subtree_bounds("110101000000") == ("110101000000", "110101999999")
    assert subtree_bounds("110101001001") == ("110101001001", "110101001001")
    assert is_within("110101002003", "110101000000")
    assert not is_within("110102000001", "110101000000")


def test_parent_candidates() -> None:
    assert parent_candidates("110101001001") == ["110101001000"]
    assert parent_candidates("110101001000") == ["110101000000", "110100000000"]


def test_ancestor_codes_nearest_first() -> None:
    assert ancestor_codes("110101001001") == ["110101001000", "110101000000", "110100000000", "110000000000"]
