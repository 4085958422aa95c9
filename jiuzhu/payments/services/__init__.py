"""Every write of payments: generation and the pre-payment comparison (``generate``, ``check``,
``holds``), bank files and reconciliation (``bank``)."""
