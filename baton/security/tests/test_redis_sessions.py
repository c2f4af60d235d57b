"""With REDIS_URL set, sessions are cached in Redis (cached_db): "sign out everywhere" must still end
them, though a cached copy would otherwise keep a revoked session alive. Runs against the real Redis
on 127.0.0.1 (as in CI); skipped with a reason where none answers."""

from __future__ import annotations

import pytest
import redis

from baton.core.testing import redis_url_for_tests
from baton.security.models import UserSession
from baton.security.tests.test_signin import browser, sign_in
from conftest import PASSWORD

TEST_REDIS = redis_url_for_tests(14)


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(TEST_REDIS, socket_connect_timeout=1).ping())
    except redis.exceptions.ConnectionError:
        return False


pytestmark = pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")


@pytest.fixture
def redis_sessions(settings):
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": TEST_REDIS,
            "KEY_PREFIX": "baton-test-sessions",
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    caches["default"].clear()
    yield
    caches["default"].clear()


def test_revoked_sessions_end_although_redis_caches_them(personas, redis_sessions):
    laptop, phone = browser("10.0.0.7"), browser("10.0.0.8")
    sign_in(laptop, "alice", PASSWORD)
    sign_in(phone, "alice", PASSWORD)
    assert phone.get("/security/").status_code == 200  # served from the cache now
    key = phone.cookies["sessionid"].value
    assert redis.Redis.from_url(TEST_REDIS).keys(f"*{key}*"), "the session should be cached in Redis"

    assert laptop.post("/security/sessions/revoke-all/").status_code == 302
    assert phone.get("/security/").status_code == 302
    assert laptop.get("/security/").status_code == 302
    assert not UserSession.objects.filter(user=personas["alice"]).exists()
