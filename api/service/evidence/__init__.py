"""What happened at the visits, live: personal links, records, check-ins, confirmations, feedback,
bulk imports and the compliance report. The rules that judge the evidence are pure code in
``solver.evidence`` and the files of the records contract are read and written by
``data.evidence_files``; this package only stores, looks up and hands over.

- :mod:`.links`: leader and unit access links (issue, rotate).
- :mod:`.visits`: finding a planned visit of a published plan and who may act on it.
- :mod:`.records`: visit records and their versions, unplanned visits.
- :mod:`.checkin`: check-in codes, their QR codes, and the check-ins.
- :mod:`.confirm`: unit and callback confirmations.
- :mod:`.feedback`: items students raised, answers, ratings, history.
- :mod:`.recordset`: the stored evidence as a records-contract ``RecordSet`` and back (import, zip, report).
"""
