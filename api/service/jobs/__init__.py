"""Jobs: solves and re-plans outside the web request (``runner``), one job per process (``worker``)."""
