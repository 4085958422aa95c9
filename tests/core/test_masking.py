"""Who sees a full ID number (DESIGN §6): only a user holding the permission; anyone else, and nobody at
all (a system job), sees it masked. No database: the user is a stub that answers ``has_perm``."""

from __future__ import annotations

import pytest

from jiuzhu.core.masking import FULL_ID_NUMBER_PERM, id_number_for, id_number_masked

# GB 11643's own example number; masked it keeps the first 3 and the last 4 of its 18 characters.
NUMBER = "11010519491231002X"
MASKED = "110" + "*" * 11 + "002X"


class _User:
    def __init__(self, *perms: str) -> None:
        self.perms = set(perms)
        self.asked: list[str] = []

    def has_perm(self, perm: str) -> bool:
        self.asked.append(perm)
        return perm in self.perms


def test_the_permission_shows_the_full_number() -> None:
    user = _User(FULL_ID_NUMBER_PERM)
    assert id_number_for(user, NUMBER) == NUMBER
    assert user.asked == ["registry.view_full_id_number"]


@pytest.mark.parametrize(
    "user",
    [_User(), _User("registry.view_person", "registry.change_person")],
    ids=["no permissions", "other permissions"],
)
def test_without_the_permission_the_number_is_masked(user: _User) -> None:
    assert id_number_for(user, NUMBER) == MASKED


def test_no_user_sees_it_masked() -> None:
    assert id_number_for(None, NUMBER) == MASKED


def test_masking_keeps_three_and_four() -> None:
    assert id_number_masked(NUMBER) == "110***********002X"
    assert id_number_masked("12345678") == "123*5678"
    assert id_number_masked("1234567") == "*******"
    assert id_number_masked("") == ""
