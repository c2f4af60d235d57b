"""Security headers, X-Request-ID validation, bidi controls stripped from input, CEL cost limits."""

from __future__ import annotations

import json
import pathlib
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from baton.core import cel as core_cel
from baton.core.models import ChangeLog
from baton.core.tests.test_api_support import ApiClient
from baton.leads.models import Lead
from baton.process import criteria
from baton.security.middleware import StripBidiControlsMiddleware, strip_bidi

TEMPLATES = pathlib.Path(__file__).resolve().parents[2]


def lead_form(owner, **values):
    return {"source": "event", "status": "new", "owner": owner.pk, "company": "Req Co", **values}


def test_pages_carry_csp_referrer_and_permissions_policy(client, alice):
    client.force_login(alice)
    for url in ("/login/", "/", "/leads/"):
        response = client.get(url, follow=url == "/login/")
        csp = response["Content-Security-Policy"]
        assert (
            "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        )
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert response["Referrer-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"


def test_the_policy_allows_no_eval(client, alice):
    client.force_login(alice)
    for url in ("/login/", "/leads/"):
        csp = client.get(url)["Content-Security-Policy"]
        script_src = csp.split("script-src")[1].split(";")[0]
        assert script_src.strip() == "'self'", csp
        assert "unsafe-eval" not in csp and "wasm-unsafe-eval" not in csp
    page = client.get("/leads/").content.decode()
    # Alpine's CSP build (no Function()) and htmx with eval turned off.
    assert "vendor/alpine-csp.min.js" in page and "vendor/alpine.min.js" not in page
    assert '"allowEval": false' in page


def test_alpine_directives_name_components_not_inline_code():
    """The CSP build parses expressions itself; keep them to names (a component, a property, a method)
    so nothing depends on JavaScript syntax it may not support: object literals, calls with arguments,
    statements. Values come from data-* attributes."""
    directive = re.compile(r"""\s(x-data|x-show|x-model|x-on:[\w.-]+|@[\w.-]+)\s*=\s*(["'])(.*?)\2""", re.S)
    offenders = []
    for path in TEMPLATES.rglob("templates/**/*.html"):
        for match in directive.finditer(path.read_text()):
            if not re.fullmatch(r"[A-Za-z_$][\w$]*", match.group(3).strip()):
                offenders.append(f"{path.name}: {match.group(0).strip()}")
    assert offenders == []
    assert "hx-on" not in "".join(p.read_text() for p in TEMPLATES.rglob("templates/**/*.html"))


def test_api_responses_carry_the_headers_too(alice):
    response = ApiClient(alice).get("/me")
    assert "Content-Security-Policy" in response and "Permissions-Policy" in response


def test_no_inline_script_or_event_handler_in_templates():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
    offenders = []
    for path in TEMPLATES.rglob("templates/**/*.html"):
        text = path.read_text()
        if inline_script.search(text) or handler.search(text):
            offenders.append(str(path))
    assert offenders == []


@pytest.mark.parametrize(
    "incoming,kept",
    [
        ("abc12345-req", True),
        ("x" * 65, False),
        ("short", False),
        ("evil\nInjected: 1", False),
        ("<script>alert(1)</script>", False),
        ("ok.id_with-dots", True),
    ],
)
def test_request_id_from_clients_is_validated_before_the_audit_log(client, alice, incoming, kept):
    client.force_login(alice)
    response = client.post("/leads/new/", lead_form(alice, name="Kim"), HTTP_X_REQUEST_ID=incoming)
    assert response.status_code == 302
    row = ChangeLog.objects.filter(object_repr__contains="Kim").order_by("-id").first()
    assert row is not None
    assert (row.request_id == incoming) is kept
    assert re.fullmatch(r"[A-Za-z0-9._-]{8,64}", row.request_id)
    assert response["X-Request-ID"] == row.request_id


def test_strip_bidi():
    assert strip_bidi("invoice\u202egpj.exe") == "invoicegpj.exe"
    assert strip_bidi("\u2066김민준\u2069\u200f") == "김민준"
    assert strip_bidi("plain 한글 – text") == "plain 한글 – text"


def test_bidi_controls_are_stripped_from_form_names(client, alice):
    client.force_login(alice)
    response = client.post(
        "/leads/new/", lead_form(alice, name="Kim\u202eevil", company="\u2067Bidi Co\u2069")
    )
    assert response.status_code == 302
    lead = Lead.objects.get(company="Bidi Co")
    assert lead.name == "Kimevil"


def test_bidi_controls_are_stripped_from_api_json(alice):
    raw = json.dumps({"name": "Lee\u202etxt.exe", "company": "Json Co"})  # escaped as \\u202e
    response = ApiClient(alice).post("/leads", raw=raw)
    assert response.status_code == 201, response.content
    assert Lead.objects.get(company="Json Co").name == "Leetxt.exe"
    raw_utf8 = json.dumps({"name": "Park\u202e", "company": "Utf8 Co"}, ensure_ascii=False)
    assert ApiClient(alice).post("/leads", raw=raw_utf8.encode()).status_code == 201
    assert Lead.objects.get(company="Utf8 Co").name == "Park"


def test_bidi_controls_are_stripped_from_uploaded_file_names():
    upload = SimpleUploadedFile("report\u202efdp.exe", b"data", content_type="application/octet-stream")
    request = RequestFactory().post("/x/", {"file": upload, "title": "\u202bt"})
    seen = {}

    def view(req):
        seen["name"] = req.FILES["file"].name
        seen["title"] = req.POST["title"]
        return None

    StripBidiControlsMiddleware(view)(request)
    assert seen == {"name": "reportfdp.exe", "title": "t"}


@pytest.mark.parametrize(
    "expression,message",
    [
        ("(" * 13 + "web_visit_30d >= 1" + ")" * 13, "nested too deeply"),
        ("1+" * 130 + "1 > 0", "too many parts"),
        (
            "[1].all(x, x > 0) && [1].exists(x, x > 0) && [1].map(x, x).size() > 0"
            " && [1].filter(x, x > 0).size() > 0",
            "too many list functions",
        ),
    ],
)
def test_cel_cost_limits(db, expression, message):
    with pytest.raises(ValidationError) as exc:
        criteria.validate_expression(expression, "lead")
    assert message in str(exc.value)
    met, _evidence, error = criteria.evaluate(expression, {"web_visit_30d": 5})
    assert not met and message in error


def test_cel_within_limits_still_works(db):
    criteria.validate_expression("(((web_visit_30d >= 3))) && seminar_90d >= 1", "lead")
    assert criteria.evaluate("web_visit_30d >= 3", {"web_visit_30d": 4})[0] is True


def test_cel_evaluation_time_budget(db, monkeypatch):
    monkeypatch.setattr(core_cel, "MAX_EVAL_SECONDS", -1.0)  # every run is over budget
    met, _evidence, error = criteria.evaluate("web_visit_30d >= 3", {"web_visit_30d": 4})
    assert not met and "took too long" in error
    with pytest.raises(ValidationError, match="took too long"):
        criteria.validate_expression("web_visit_30d >= 3", "lead")
