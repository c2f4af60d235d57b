"""Support cases of the success app: cases on an account (and contract), their comments, the SLA
policy per priority and the business hours its clocks run in (``sla``), every write (``services``),
the permission-aware reads (``queries``), pages and API."""
