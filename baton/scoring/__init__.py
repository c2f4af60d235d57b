"""Scoring: everything that decides which leads and deals deserve attention, and who works them.

Where to look (one topic per module; ``models.py`` holds every table of the app):

- ``scores/``: the lead score. ``rules.py`` (fit and engagement rules, pure functions),
  ``features.py`` + ``predictive.py`` (the learned win probability and its naive Bayes baseline),
  ``services.py`` (rescoring one lead or all of them, training, editing rules), ``queries.py``.
- ``qualification/``: checklists (BANT and The Model's four on leads, MEDDPICC on deals;
  ``checklists.py`` reads, ``services.py`` writes) and ``disqualification.py`` (reasons, the
  customer letter, recycling).
- ``competitors.py``: competitors and incumbents on opportunities.
- ``routing.py``: routing rules, rep capacity, assigning a lead with its explanation.
- ``supply.py``: the capacity-controlled hand-over of qualified leads to field sales.
- ``winloss.py``: the win/loss analysis.
- ``facts.py``: the facts this app gives the process engine's stage criteria (batched).
- ``access.py``: the permission checks the writes above share.

``services.py`` only re-exports the writes under their old import path.
"""
