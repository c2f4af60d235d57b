"""The demo world: a believable Korean B2B company with a year of history (``baton seed_demo``).

The top layer of Baton: it may use every other app and no app imports it. ``world.seed_demo``
builds it; each topic has its own module (people, accounts, leads, history of The Model, deals,
the sales catalogue) and ``vocab`` holds the names and words the generator draws from.
"""
