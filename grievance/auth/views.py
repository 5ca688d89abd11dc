"""Sign in (password, then a one-time code where required), sign out, own account."""

from __future__ import annotations

import math
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
from flask_babel import ngettext
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response

from grievance.auth import backoff, sessions, setup, totp
from grievance.auth.forms import CodeForm, LoginForm, PasswordForm, SetupForm
from grievance.auth.models import User
from grievance.auth.services import (
    CODE,
    DONE,
    Pending,
    change_password,
    code_step,
    enrol_offer,
    enrol_step,
    password_step,
    pending_user,
)
from grievance.errors import DomainError
from grievance.keys import server_mac
from grievance.ratelimit import client_key, limiter, setting
from grievance.refusals import explain
from workflows.i18n import N_

bp = Blueprint("auth", __name__)
Page = Response | str | tuple[str, int] | tuple[str, int, dict[str, str]]


def safe_next(target: str | None) -> str | None:
    """Only same-site paths: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return None
    return target


def _relaxed() -> bool:
    return bool(current_app.config["SAMLENG"].SECOND_STEP_RELAXED)


def _finish(user: User) -> Response:
    target = safe_next(session.get("pending_next")) or url_for("web.staff_home")
    sessions.start(user)
    return redirect(target)


def _pending() -> Pending | None:
    user_id, since = session.get("pending_user"), session.get("pending_at")
    if not isinstance(user_id, int) or not isinstance(since, int):
        return None
    return Pending(user_id, since)


def _account_key() -> str:
    """Failed sign-ins are counted per account and client address pair, under an HMAC:
    Redis never holds usernames, and nobody elsewhere can lock the owner out
    (`auth.backoff`)."""
    name = request.form.get("username", "").strip().lower()
    return "user:" + server_mac("login", f"{name}|{client_key()}").hex()[:32]


def _code_account_key() -> str:
    """Wrong one-time codes are counted per account, whatever the address."""
    pending = _pending()
    who = str(pending.user_id) if pending else "none"
    return "code:" + server_mac("login", f"code|{who}").hex()[:32]


def _sign_in_failed(response: Response) -> bool:
    return response.status_code == 401


def _slowed(form: LoginForm, seconds: int) -> tuple[str, int, dict[str, str]]:
    """The guesser's next try waits: say for how long, in her language."""
    if seconds < 120:
        message = ngettext(
            "Too many wrong passwords for this account from this device. "
            "Try again in %(num)d second.",
            "Too many wrong passwords for this account from this device. "
            "Try again in %(num)d seconds.",
            seconds,
        )
    else:
        message = ngettext(
            "Too many wrong passwords for this account from this device. "
            "Try again in %(num)d minute.",
            "Too many wrong passwords for this account from this device. "
            "Try again in %(num)d minutes.",
            math.ceil(seconds / 60),
        )
    flash(message, "error")
    page = render_template("auth/login.html", form=form)
    return page, 429, {"Retry-After": str(seconds), "Cache-Control": "no-store"}


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(setting("LOGIN_LIMIT_PER_CLIENT"), methods=["POST"])
def login() -> Page:
    if current_user.is_authenticated:
        return redirect(url_for("web.staff_home"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    pair = _account_key()
    wait = backoff.wait_left(pair)
    if wait:  # not even checked: the wait is the same whether the password is right or not
        return _slowed(form, wait)
    found = password_step(form.username.data or "", form.password.data or "", relaxed=_relaxed())
    if found is None:
        backoff.failed(pair, current_app.config["SAMLENG"].LOGIN_BACKOFF_CAP)
        flash(_("Wrong username or password, or the account is not active."), "error")
        return render_template("auth/login.html", form=form), 401
    backoff.succeeded(pair)
    user, step = found
    wanted = request.args.get("next")
    if step == DONE:
        session["pending_next"] = wanted
        return _finish(user)
    language = session.get("lang")
    session.clear()  # nothing from before the password survives
    session.update(pending_user=user.id, pending_at=int(time.time()), lang=language)
    session["pending_next"] = wanted
    return redirect(url_for("auth.code" if step == CODE else "auth.enrol"))


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(setting("LOGIN_CODE_LIMIT_PER_CLIENT"), methods=["POST"])
@limiter.limit(
    setting("LOGIN_CODE_LIMIT_PER_ACCOUNT"),
    methods=["POST"],
    key_func=_code_account_key,
    deduct_when=_sign_in_failed,
)
def code() -> Page:
    user = pending_user(_pending(), time.time())
    if user is None or not totp.enabled(user):
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if code_step(user, form.code.data or ""):
            return _finish(user)
        form.code.errors = [_("That code is not right. Use the newest code from your app.")]
        return render_template("auth/code.html", form=form), 401
    return render_template("auth/code.html", form=form)


@bp.route("/login/enrol", methods=["GET", "POST"])
@limiter.limit(setting("LOGIN_CODE_LIMIT_PER_CLIENT"), methods=["POST"])
def enrol() -> Page:
    user = pending_user(_pending(), time.time())
    if user is None or totp.enabled(user):
        return redirect(url_for("auth.login"))
    seed, sealed = enrol_offer(user, session.get("enrol_seed"))
    session["enrol_seed"] = sealed
    form = CodeForm()
    if form.validate_on_submit():
        if enrol_step(user, sealed, form.code.data or ""):
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


@bp.route("/account/setup/<token>", methods=["GET", "POST"])
@limiter.limit(setting("LOGIN_LIMIT_PER_CLIENT"), methods=["POST"])
def setup_password(token: str) -> Page:
    """The one-time link an administrator passes on: choose a password, then sign in."""
    try:
        user = setup.holder(token)
    except DomainError:
        return render_template("auth/setup.html", form=None), 404
    form = SetupForm()
    if form.validate_on_submit():
        try:
            setup.complete(token, form.new.data or "")
        except DomainError as error:
            form.new.errors = [explain(error, N_("This password cannot be used."))]
            return render_template("auth/setup.html", form=form, user=user), 400
        if current_user.is_authenticated:
            logout_user()
        session.clear()
        flash(_("Your password is set. Please sign in."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/setup.html", form=form, user=user)
