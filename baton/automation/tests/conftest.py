import pytest


@pytest.fixture(autouse=True)
def _dummy_tasks(settings):
    # Runs are executed by calling the engine in the tests (as the worker would), never in the web
    # request; the dummy backend only records that the worker was woken.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
