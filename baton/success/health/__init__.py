"""Customer health of the success app: a score per account from transparent components (open and
breached cases, engagement recency, renewal risk, NPS when recorded) with weights an administrator sets,
kept as daily snapshots so a drop can be seen and explained."""
