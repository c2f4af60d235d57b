"""Monthly pre-aggregates of won revenue (the executive's year-over-year trend), kept exact.

Closed calendar months (Asia/Seoul) are summed once by a periodic worker job or ``baton
refresh_insights_aggregates`` into rows keyed by owner and team (and the account's industry and region,
the currency, and the close day for deals in another currency, so each day's sum is converted at that
day's rate when read). A reader gets the stored rows only where they are known to equal the live
numbers; everything else is computed live from the deals, with the same grouping:

- the open month, and last year's month of the same day (split at that day), are always live;
- a month changed since it was summed (any audited change of one of its won deals, their line items or
  their accounts; see ``freshness``) is live until the next refresh;
- a reader whose visibility is not "every deal" (shares, grants, team rules) is served live: only the
  administrator's scope is expressed as a set of owner/team keys today.
"""
