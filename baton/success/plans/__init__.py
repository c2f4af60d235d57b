"""Success plans of the success app: a customer's goals as milestones with owners and due dates, and
their progress."""
