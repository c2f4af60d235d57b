"""Pages of the deals app, one module per topic:

- ``opportunities``: the list, the board, a deal's page, its form and a stage move;
- ``offer``: what a deal sells (line items, effort, economics) and creating a quote;
- ``quotes``: a quote's page, printable sheet and PDF, submit / recall / primary;
- ``approvals``: the approver's queue and the approval rules;
- ``team``: the deal team, the buyer's side and requests to team members;
- ``catalog``: products, product families, price lists.

Views are thin: parse a form, call one service (``core.views_generic.run_action``), redirect.
"""
