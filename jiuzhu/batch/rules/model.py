"""Monitoring rules as data.

A rule says which people it looks at, which feed it reads, a predicate in a small vocabulary, the
evidence it keeps, and who must act on a hit by when. It is compiled to SQL for each engine by
``compiler``; nothing here knows SQL.

The predicate vocabulary (``Expr``), written as nested tuples (lists after a JSON round trip):

    operands  "p.<col>"  a column of the subject person (``schema.PERSONS``)
              "g.<col>"  a column of the guardian (rules with ``via="guardian"``)
              "f.<col>"  a column of the feed row (``schema.FEEDS``), and on ``window`` rules
                         "f.prev_kind" (the kind of the person's row before it in the feed) and
                         "f.recency" (1 for the newest row)
              "c.<col>"  a column of the coverage row (``schema.COVERAGE``)
              "m.<name>" an aggregate of an aggregate rule (``measures``)
              "s.<name>" a policy setting of the subject's county, in force on the run date
              "as_of"    the run date
              numbers; ("lit", "text") for a string; ("date", "2026-01-31") for a date
    logic     ("and", e, …) ("or", e, …) ("not", e)
    compare   ("eq"|"ne"|"lt"|"le"|"gt"|"ge", a, b) ("in", a, (v, …)) ("null", a) ("notnull", a)
              ("contains", list_col, ("lit", code))   item of a comma-separated list
    arithmetic ("add"|"sub"|"mul"|"div", a, b) ("coalesce", a, b) ("if", cond, a, b)
    dates     ("age", birth, on)          whole years of age on a date
              ("months_between", a, b)    whole months from a to b (a day short of a month is 0)
              ("add_months", d, n)        the date n months later (end of month clamped)
              ("month_key", d)            YYYYMM as a number
    casts     ("number", a) ("date_of", a)   a text payload field as a number or a date
    text      ("prefix", a, n)            the first n characters (a region code's county: 6)

Every function goes through ``functions`` per engine, never through a dialect's own date arithmetic:
DuckDB's ``date_diff('year', …)`` counts boundaries while Spark's counts whole years.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Expr = Any  # a nested tuple of the vocabulary above (kept loose: it is data, validated by the compiler)

Population = Literal["assisted", "outside", "all"]
Purpose = Literal["warning", "lead", "review"]
Kind = Literal["match", "aggregate", "duplicate"]


@dataclass(frozen=True)
class Rule:
    code: str
    version: int
    name: str
    # What a hit asks for: a warning on an assisted household (verify and act), a lead on a household
    # outside assistance (应保尽保), or a proposed review of an assisted one (应退尽退).
    purpose: Purpose
    population: Population
    when: Expr
    kind: Kind = "match"
    feed: str | None = None  # the one feed read, joined on the subject's (or guardian's) ID number
    # Further feeds read beside ``feed`` (an aggregate summing several sources); their rows are one set.
    feeds: tuple[str, ...] = ()
    via: Literal["self", "guardian"] = "self"
    window: bool = False  # adds f.prev_kind and f.recency to the feed rows
    # The evidence shown with a hit: label → operand. The date of the fact is ``event_date``.
    evidence: tuple[tuple[str, Expr], ...] = ()
    event_date: Expr = "f.date"
    # What makes two hits the same piece of evidence. Default: the feed row's key.
    evidence_key: tuple[Expr, ...] = ("f.row_key",)
    # Aggregate rules: rows grouped per household (``group``), measures over the matching feed rows.
    group: Literal["household", "person"] = "person"
    measures: tuple[tuple[str, str, Expr], ...] = ()  # (name, sum|max|min|count, operand)
    having: Expr = None
    # Duplicate rules, over coverage: people (or accounts) found in more than one of ``across``.
    key: str = "person_id"  # person_id | bank_account
    across: str = "household_id"  # household_id | county_code | program
    programs: tuple[tuple[str, str], ...] = ()  # incompatible program pairs, for across="program"
    # Dispatch.
    severity: Literal["high", "medium", "low"] = "medium"
    role: str = "township_caseworker"
    deadline_days: int = 10  # working days
    action: str = ""  # the suggested action, in Chinese
    outcome: str = ""  # the outcome a hit points to: stop | adjust | assist | review
    # Whether a hit holds the person's payroll lines in the pre-payment comparison (月比对).
    holds_payment: bool = False
    settings: tuple[str, ...] = field(default=())  # the policy settings the rule reads (s.*)
    sources: str = ""  # the rule's source or basis
