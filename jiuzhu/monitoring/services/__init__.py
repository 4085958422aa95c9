"""Every write of monitoring: runs (``runs``) and the handling of warnings (``warnings``)."""
