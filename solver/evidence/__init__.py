"""The evidence side of a term: what happened, who confirmed it, what students raised, and the
compliance report (records contract). Pure code: no pandas, FastAPI or SQLAlchemy.

- :mod:`.records`: the frozen record types (visits, confirmations, feedback items, settings);
- :mod:`.evidence`: confirmed / self-reported / disputed, and which confirmations count;
- :mod:`.flags`: possible falsifications and errors (flags.csv);
- :mod:`.workdays`: working days of the term calendar on any date, and deadlines;
- :mod:`.feedback`: deadlines, states and the three rates of the feedback ledger;
- :mod:`.requirements`: the requirements judged from held visits, as of a moment;
- :mod:`.verdict`: compliant / partly / non_compliant;
- :mod:`.report`: ``compliance()``, the one function the CLI and the service call;
- :mod:`.replan`: a re-plan after visits recorded as not held.
"""
