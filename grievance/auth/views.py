"""Sign in (password, then a one-time code where required), sign out, own account."""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response

from grievance.auth import sessions, totp
from grievance.auth.forms import CodeForm, LoginForm, PasswordForm
from grievance.auth.models import User
from grievance.auth.services import authenticate, change_password
from grievance.errors import DomainError
from grievance.extensions import db
from grievance.ratelimit import limiter, setting
from grievance.refusals import explain
from workflows.i18n import N_

bp = Blueprint("auth", __name__)
PENDING_SECONDS = 300
Page = Response | str | tuple[str, int]


def safe_next(target: str | None) -> str | None:
    """Only same-site paths: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return None
    return target


def _finish(user: User) -> Response:
    target = safe_next(session.get("pending_next")) or url_for("web.staff_home")
    sessions.start(user)
    return redirect(target)


def _pending_user() -> User | None:
    user_id, since = session.get("pending_user"), int(session.get("pending_at", 0))
    if not user_id or time.time() - since > PENDING_SECONDS:
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def _account_key() -> str:
    """Failed sign-ins are counted per account under an HMAC: Redis never holds usernames."""
    cfg = current_app.config["SAMLENG"]
    name = request.form.get("username", "").strip().lower()
    key = str(cfg.SERVER_KEY or cfg.SECRET_KEY).encode()
    return "user:" + hmac.new(key, b"login:" + name.encode(), hashlib.sha256).hexdigest()[:32]


def _no_username() -> bool:
    return not request.form.get("username", "").strip()


def _sign_in_failed(response: Response) -> bool:
    return response.status_code == 401


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(setting("LOGIN_LIMIT_PER_CLIENT"), methods=["POST"])
@limiter.limit(
    setting("LOGIN_LIMIT_PER_ACCOUNT"),
    methods=["POST"],
    key_func=_account_key,
    exempt_when=_no_username,
    deduct_when=_sign_in_failed,
)
def login() -> Page:
    if current_user.is_authenticated:
        return redirect(url_for("web.staff_home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data or "", form.password.data or "")
        if user is None:
            flash(_("Wrong username or password, or the account is not active."), "error")
            return render_template("auth/login.html", form=form), 401
        if not (totp.enabled(user) or totp.required(user)):
            session["pending_next"] = request.args.get("next")
            return _finish(user)
        language = session.get("lang")
        session.clear()
        session.update(pending_user=user.id, pending_at=int(time.time()), lang=language)
        session["pending_next"] = request.args.get("next")
        return redirect(url_for("auth.code" if totp.enabled(user) else "auth.enrol"))
    return render_template("auth/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(setting("LOGIN_CODE_LIMIT_PER_CLIENT"), methods=["POST"])
def code() -> Page:
    user = _pending_user()
    if user is None or not totp.enabled(user):
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if totp.verify(user, form.code.data or ""):
            return _finish(user)
        form.code.errors = [_("That code is not right. Use the newest code from your app.")]
        return render_template("auth/code.html", form=form), 401
    return render_template("auth/code.html", form=form)


@bp.route("/login/enrol", methods=["GET", "POST"])
@limiter.limit(setting("LOGIN_CODE_LIMIT_PER_CLIENT"), methods=["POST"])
def enrol() -> Page:
    user = _pending_user()
    if user is None or totp.enabled(user):
        return redirect(url_for("auth.login"))
    seed = session.get("enrol_seed") or totp.new_seed()
    session["enrol_seed"] = seed
    form = CodeForm()
    if form.validate_on_submit():
        if totp.enrol(user, seed, form.code.data or ""):
            session.pop("enrol_seed", None)
            return _finish(user)
        form.code.errors = [_("That code is not right. Use the newest code from your app.")]
    qr = totp.provisioning_svg(user, seed)
    return render_template("auth/enrol.html", form=form, seed=seed, qr=qr)


@bp.post("/logout")
@login_required
def logout() -> Response:
    sessions.end_everywhere(current_user)
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("web.landing"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> Page:
    form = PasswordForm()
    user: User = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            change_password(user, form.current.data or "", form.new.data or "")
        except DomainError as error:
            field = form.current if error.code == "wrong_password" else form.new
            field.errors = [explain(error, N_("This password cannot be used."))]
            return render_template("auth/password.html", form=form), 400
        sessions.end_everywhere(user)
        sessions.start(user)  # this session carries on under the new version
        flash(_("Your password is changed. You were signed out everywhere else."), "info")
        return redirect(url_for("web.staff_home"))
    return render_template("auth/password.html", form=form)
