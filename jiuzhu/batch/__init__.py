"""The one bulk-data toolkit: every path that loads or writes rows by the hundred thousand goes through it.

- ``copytext``: PostgreSQL's COPY text format (escaping in Python and in SQL, the NULL marker).
- ``write``: a model's rows from columns (numpy arrays or constants) by COPY on PostgreSQL and
  ``executemany`` elsewhere; ids, sequences and statistics around such a load.
- ``bulk``: PostgreSQL bulk mode, foreign keys and secondary indexes dropped for a load and rebuilt.
- ``stage``: a temporary table shaped from a model's fields, COPY into it, an anti-join merge into the
  model's table on a key, COPY straight into a model's table, and the statistics refresh after a merge.
- ``rawrows``: model instances from hand-written SQL, converted as the ORM converts them.

Table and column names come from the models' metadata (``Model._meta``), never typed by hand. The package
sits on the floor of ``regions``, just above ``core``: it imports no platform app and takes model classes
as arguments.
"""
