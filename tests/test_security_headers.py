"""Security headers on every kind of response, signed in or not, including error pages."""

from __future__ import annotations

import re

import pytest

from app.models import Role

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
CSP_DIRECTIVES = [
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
]


def assert_security_headers(response):
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    for directive in CSP_DIRECTIVES:
        assert directive in csp.split("; "), directive
    nonce = re.search(r"script-src 'self' 'nonce-([A-Za-z0-9_-]{16,})'", csp)
    assert nonce, csp
    return nonce.group(1)


@pytest.mark.parametrize(
    "url", ["/", "/sign-in", "/privacy", "/no-such-page", "/static/js/app.mjs"]
)
def test_signed_out_responses(client, url):
    response = client.get(url)
    response.close()  # a static file is streamed from disk
    assert_security_headers(response)
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "Strict-Transport-Security" not in response.headers  # only in production


@pytest.mark.parametrize("url", ["/coordinator/", "/admin/users", "/no-such-page"])
def test_signed_in_pages_are_never_cached(client, login_as, url):
    login_as(Role.COORDINATOR)
    response = client.get(url)
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_the_nonce_is_fresh_each_request_and_used_by_the_inline_script(client):
    first = client.get("/")
    second = client.get("/")
    nonce = assert_security_headers(first)
    assert nonce != assert_security_headers(second)
    body = first.get_data(as_text=True)
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", body)
    assert inline_scripts, "the GOV.UK template has one inline script"
    assert all(f'nonce="{nonce}"' in attributes for attributes in inline_scripts)


def test_production_sends_hsts_and_a_host_only_secure_session_cookie(
    database, app_factory, monkeypatch
):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", database.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("PUBLIC_URL", "https://apprenticeships.example.org")
    monkeypatch.setenv("APP_ENV", "production")
    from app import create_app

    app = app_factory(create_app)
    client = app.test_client()
    response = client.get("/sign-in", base_url="https://apprenticeships.example.org")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert {"Secure", "HttpOnly", "SameSite=Lax", "Path=/"} <= {
        part.strip() for part in cookie.split(";")
    }
    assert "Domain=" not in cookie


def test_development_session_cookie_is_http_only_and_lax(client):
    response = client.get("/sign-in")
    cookie = response.headers["Set-Cookie"]
    parts = {part.strip() for part in cookie.split(";")}
    assert {"HttpOnly", "SameSite=Lax", "Path=/"} <= parts
    token = cookie.split(";")[0].split("=", 1)[1]
    assert len(token) >= 40  # a random id, nothing else
