"""The date window every record of the platform shares: nothing it holds (a birth, a membership, a fact,
an authorisation, a report) is dated before ``EARLIEST_DATE``. Each app adds its own upper bound (today,
or how far ahead its kind of date may lie)."""

from datetime import date

EARLIEST_DATE = date(1900, 1, 1)
