"""Monitoring rules as data, compiled to SQL for DuckDB and Spark (``model``, ``schema``, ``functions``,
``compiler``), and run on DuckDB over Arrow (``duck``). Pure: no Django, no database of the platform."""
