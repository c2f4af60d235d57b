"""Error pages 400/403/404/413/500 with DEBUG off: in the app's layout for a signed-in reader (a plain,
styled page otherwise), in the reader's language, with a way home."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("baton.core.tests.urls_errors")]

TITLES = {
    "en": {
        400: "The request could not be understood",
        403: "You may not open this page",
        404: "Page not found",
        413: "The request is too large",
        500: "Something went wrong on our side",
    },
    "ko": {
        400: "요청을 이해할 수 없습니다",
        403: "이 페이지를 열 권한이 없습니다",
        404: "페이지를 찾을 수 없습니다",
        413: "요청이 너무 큽니다",
        500: "서버에서 문제가 발생했습니다",
    },
}


@pytest.fixture
def production(settings):
    settings.DEBUG = False


def _request(client, status):
    if status == 400:
        return client.get("/activities/new/", {"kind": "no-such-kind"})
    if status == 403:
        return client.get("/test-403/")
    if status == 404:
        return client.get("/leads/987654321/")
    if status == 413:
        return client.post("/leads/new/", {"name": "x" * (3 * 1024 * 1024)})
    return client.get("/test-500/")


@pytest.mark.parametrize("status", [400, 403, 404, 413, 500])
@pytest.mark.parametrize("language", ["ko", "en"])
def test_error_page_for_a_signed_in_reader(client, production, alice, language, status):
    alice.language = language
    alice.save(update_fields=["language"])
    client.force_login(alice)
    client.raise_request_exception = False
    response = _request(client, status)
    assert response.status_code == status
    body = response.content.decode()
    assert f'data-status="{status}"' in body
    assert TITLES[language][status] in body
    assert f'<html lang="{language}">' in body
    assert 'data-testid="nav-leads"' in body, "inside the app's layout"
    assert 'data-testid="error-home"' in body
    assert "Traceback" not in body and "RuntimeError" not in body


@pytest.mark.parametrize("status", [404, 413, 500])
@pytest.mark.parametrize("language", ["ko", "en"])
def test_error_page_for_an_anonymous_reader_is_plain(client, production, language, status):
    client.raise_request_exception = False
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    requests = {
        404: lambda: client.get("/no-such-page/"),
        413: lambda: client.post("/login/", {"username": "x" * (3 * 1024 * 1024)}),
        500: lambda: client.get("/test-500/"),
    }
    response = requests[status]()
    assert response.status_code == status
    body = response.content.decode()
    assert TITLES[language][status] in body
    assert 'data-testid="nav-leads"' not in body and "vendor/bootstrap.min.css" in body
    assert 'data-testid="error-home"' in body


def test_400_page_names_the_bad_parameter(client, production, alice):
    client.force_login(alice)
    response = client.get("/activities/new/", {"kind": "<b>bogus</b>"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Unknown value &lt;b&gt;bogus&lt;/b&gt;." in body  # escaped, and says what was wrong


def test_back_link_only_to_this_site(client, production, alice):
    client.force_login(alice)
    same = client.get("/leads/987654321/", HTTP_REFERER="http://testserver/leads/")
    assert 'href="http://testserver/leads/" data-testid="error-back"' in same.content.decode()
    other = client.get("/leads/987654321/", HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in other.content.decode()


def test_api_paths_get_json_errors(client, production):
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Page not found."}
