"""The lead score: rule points for fit and engagement (``rules.py``), the learned probability of a
win (``features.py``, ``predictive.py``), their writes (``services.py``) and reads (``queries.py``);
``synthetic.py`` generates a history for tests and demos of the predictive score."""
