"""Personal identifiers as a role may see them (DESIGN §6): in full with the permission below,
masked otherwise. Defined here, below every app, so that any app that shows an identifier (the registry,
the audit log) masks it the same way."""

from __future__ import annotations

from typing import Any

# The permission (of the registry's Person model) to see a full ID number.
FULL_ID_NUMBER_PERM = "registry.view_full_id_number"


def id_number_masked(value: str) -> str:
    """Keep the first 3 and last 4 characters, as public notices do: 110***********123X."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def id_number_for(user: Any, value: str) -> str:
    """``value`` in full for a user with ``FULL_ID_NUMBER_PERM``, masked for anyone else."""
    full = user is not None and user.has_perm(FULL_ID_NUMBER_PERM)
    return value if full else id_number_masked(value)


def name_masked(value: str) -> str:
    """A name as a posted notice shows it: the first and last characters kept, the ones between
    starred (张*三, 欧阳**明); a two-character name keeps its first (张*)."""
    value = value.strip()
    if len(value) <= 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]
