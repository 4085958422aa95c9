"""Django's view of the vocabularies in ``jiuzhu.core.vocab``: choices for model fields, forms and the
admin, with each label translated into the active language. Nothing here adds a code or a wording."""

from __future__ import annotations

from typing import Any, cast

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from .vocab import Vocab


def choices(vocab: type[Vocab]) -> list[tuple[str, str | Promise]]:
    """``[(code, label)]`` in the order of the vocabulary; labels translated when shown."""
    return [(m.value, gettext_lazy(m.label)) for m in vocab]


def text_choices(vocab: type[Vocab]) -> type[models.TextChoices]:
    """A ``TextChoices`` with the members, codes and labels of ``vocab`` (labels translated when shown),
    for code that wants Django's ``.choices``, ``.values`` and ``.labels``."""
    members = [(m.name, (m.value, gettext_lazy(m.label))) for m in vocab]
    # Enum's functional API; the stubs know only the member constructor of the same name.
    built: Any = models.TextChoices(vocab.__name__, members)  # type: ignore[call-overload]
    built.__module__ = vocab.__module__
    return cast(type[models.TextChoices], built)


def label(member: Vocab | str, vocab: type[Vocab]) -> str:
    """The label of a code in the active language, as a plain ``str`` (the code itself if unknown)."""
    return gettext(vocab.label_of(str(member)))
