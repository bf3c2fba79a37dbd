"""A small GitHub that follows GitHub's documented OAuth web flow, for tests.

- ``GET /login/oauth/authorize`` shows nothing useful; ``POST`` to it with the form field
  ``login=<login>`` is the user clicking "Authorize" (``action=deny`` refuses): 302 back to
  ``redirect_uri`` with ``code`` and ``state`` (or ``error=access_denied``).
- ``POST /login/oauth/access_token`` trades a code (single use, for the same client and
  redirect URI, checked against the PKCE challenge) for an access token: JSON with
  ``Accept: application/json``, form-encoded otherwise; errors are 200 with ``error``, as
  GitHub does.
- ``GET /api/user`` and ``GET /api/user/emails`` with ``Authorization: Bearer <token>``.

Unlike the OpenID Connect mock, this one enforces PKCE, and it records what clients sent.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

API_PREFIX = "/api"


@dataclass
class GitHubUser:
    id: int
    login: str
    name: str | None
    emails: list[dict[str, Any]]


@dataclass
class Grant:
    login: str
    client_id: str
    redirect_uri: str
    code_challenge: str | None
    code_challenge_method: str | None


@dataclass
class GitHubFake:
    users: dict[str, GitHubUser] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def add_user(
        self, login: str, *, email: str, verified: bool = True, name: str | None = None
    ) -> GitHubUser:
        user = GitHubUser(
            id=secrets.randbelow(10**9) + 1,
            login=login,
            name=name,
            emails=[
                {"email": f"{login}@users.noreply.github.com", "primary": False,
                 "verified": True, "visibility": None},
                {"email": email, "primary": True, "verified": verified, "visibility": "public"},
            ],
        )  # fmt: skip
        self.users[login] = user
        return user

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.dispatch(Request(environ))(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        routes = {
            ("POST", "/login/oauth/authorize"): self.authorize,
            ("POST", "/login/oauth/access_token"): self.access_token,
            ("GET", f"{API_PREFIX}/user"): self.user,
            ("GET", f"{API_PREFIX}/user/emails"): self.emails,
        }
        handler = routes.get((request.method, request.path))
        if handler is None:
            return _json({"message": "Not Found"}, status=404)
        return handler(request)

    def authorize(self, request: Request) -> Response:
        query = dict(request.args)
        self.authorize_requests.append(query)
        redirect_uri = query["redirect_uri"]
        if request.form.get("action") == "deny":
            answer = {"error": "access_denied", "state": query.get("state", "")}
            return _redirect(redirect_uri, answer)
        code = secrets.token_hex(10)
        self.grants[code] = Grant(
            login=request.form["login"],
            client_id=query["client_id"],
            redirect_uri=redirect_uri,
            code_challenge=query.get("code_challenge"),
            code_challenge_method=query.get("code_challenge_method"),
        )
        return _redirect(redirect_uri, {"code": code, "state": query.get("state", "")})

    def access_token(self, request: Request) -> Response:
        form = dict(request.form)
        self.token_requests.append(form)
        grant = self.grants.pop(form.get("code", ""), None)
        if grant is None or not _grant_matches(grant, form):
            answer = {
                "error": "bad_verification_code",
                "error_description": "The code passed is incorrect or expired.",
            }
            return _token_answer(request, answer)
        token = "gho_" + secrets.token_hex(16)
        self.tokens[token] = grant.login
        return _token_answer(
            request, {"access_token": token, "token_type": "bearer", "scope": "read:user"}
        )

    def user(self, request: Request) -> Response:
        user = self._authenticated(request)
        if user is None:
            return _json({"message": "Bad credentials"}, status=401)
        return _json({"id": user.id, "login": user.login, "name": user.name, "email": None})

    def emails(self, request: Request) -> Response:
        user = self._authenticated(request)
        if user is None:
            return _json({"message": "Bad credentials"}, status=401)
        return _json(user.emails)

    def _authenticated(self, request: Request) -> GitHubUser | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        login = self.tokens.get(token) if scheme.lower() in {"bearer", "token"} else None
        return self.users.get(login) if login else None


def _grant_matches(grant: Grant, form: dict[str, str]) -> bool:
    if form.get("client_id") != grant.client_id or not form.get("client_secret"):
        return False
    if form.get("redirect_uri", grant.redirect_uri) != grant.redirect_uri:
        return False
    if grant.code_challenge is None:
        return True
    verifier = form.get("code_verifier", "")
    digest = hashlib.sha256(verifier.encode()).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return grant.code_challenge_method == "S256" and secrets.compare_digest(
        expected, grant.code_challenge
    )


def _token_answer(request: Request, answer: dict[str, str]) -> Response:
    if "application/json" in request.headers.get("Accept", ""):
        return _json(answer)
    return Response(urlencode(answer), content_type="application/x-www-form-urlencoded")


def _json(data: Any, *, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")


def _redirect(uri: str, params: dict[str, str]) -> Response:
    separator = "&" if "?" in uri else "?"
    return Response(status=302, headers={"Location": uri + separator + urlencode(params)})
