"""Qualification: the checklists that say whether a lead or deal is worth working (BANT and The
Model's four conditions on leads, MEDDPICC on opportunities), and disqualification.

- ``checklists.py``: read a record's checklist (score, gaps, evidence);
- ``services.py``: record one answer with its evidence;
- ``disqualification.py``: disqualify a lead with a listed reason, draft the letter to the customer.

The answers are stored in the process app's checklist store (``process.models.QualificationAnswer``),
one store for all three checklists.
"""
