"""Sign-in for the app shell and the acting person for pages.

* Without an ``[auth]`` section in the secrets (``.streamlit/secrets.toml``) the app runs in local
  mode: one local user with every role, labelled so in the sidebar.
* With it, Streamlit's OpenID Connect sign-in (``st.login``/``st.user``/``st.logout``) is the only
  way in: a visitor who is not signed in sees the sign-in screen and nothing else. A secrets file
  that cannot be read or an ``[auth]`` section that lacks a key stops the app (fail closed).
* The signed-in e-mail is resolved once per session to an :class:`~sop_core.people.Actor` (roles
  from the store, else the default role) and re-resolved after a people change in this process
  (:func:`people_changed`) or after :data:`REFRESH_SECONDS`.

``app.py`` calls :func:`sign_in_gate` before ``st.navigation``; pages call :func:`current_actor`
and pass the actor to the engine's write functions.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

import streamlit as st

from sop_core.people import ADMIN_ENV, Actor, actor_for, apply_admin_env, can, local_actor
from sop_ui.store import get_store

SESSION_KEY = "_sop_actor"
LOCAL_NAME_KEY = "local_name"  # local mode: the name that signs this session's changes
REFRESH_SECONDS = 60.0
MIN_COOKIE_SECRET = 16
README_HINT = "See the README, section “Sign-in and roles”."
_GENERAL_KEYS = ("redirect_uri", "cookie_secret")
_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
_generation = [0]  # bumped by people_changed(): every session re-resolves its actor at its next run


class _BrokenSecrets(Exception):
    """The secrets exist but cannot be read (the message never shows the path or a value)."""


def _auth_section() -> Mapping[str, Any] | None:
    """The ``[auth]`` section of the secrets, ``None`` when there is none (local mode)."""
    try:
        if "auth" not in st.secrets:
            return None
        section = st.secrets["auth"]
    except FileNotFoundError as exc:  # Streamlit's "no secrets" and "cannot parse secrets" errors
        if getattr(exc, "error_id", "") == "no-secrets-found":
            return None
        raise _BrokenSecrets("The secrets file cannot be read, so sign-in cannot be checked.") from None
    if not isinstance(section, Mapping):
        raise _BrokenSecrets("[auth] in the secrets must be a table.")
    return section


def providers(section: Mapping[str, Any]) -> list[str]:
    """The configured providers: ``default`` (keys directly under ``[auth]``) and/or named ``[auth.NAME]``."""
    named = [k for k, v in section.items() if isinstance(v, Mapping) and k != "client_kwargs"]
    return (["default"] if "client_id" in section or not named else []) + named


def _unset(value: Any) -> bool:
    """Empty, or still the example file's ``<placeholder>``."""
    text = str(value or "").strip()
    return not text or (text.startswith("<") and text.endswith(">"))


def config_problem(section: Mapping[str, Any]) -> str | None:
    """What an ``[auth]`` section lacks (key names only, never values), ``None`` when complete.

    A key still holding the example file's ``<placeholder>`` counts as missing, and so does a
    ``cookie_secret`` shorter than :data:`MIN_COOKIE_SECRET` characters (it signs the identity cookie).
    """
    missing = [key for key in _GENERAL_KEYS if _unset(section.get(key))]
    if "cookie_secret" not in missing and len(str(section.get("cookie_secret"))) < MIN_COOKIE_SECRET:
        missing.append(f"cookie_secret of at least {MIN_COOKIE_SECRET} characters")
    for name in providers(section):
        keys = section if name == "default" else section[name]
        missing += [key if name == "default" else f"{name}.{key}" for key in _PROVIDER_KEYS if _unset(keys.get(key))]
    return f"[auth] lacks: {', '.join(missing)}" if missing else None


def sign_in_configured() -> bool:
    """True when the secrets hold an ``[auth]`` section (also when it is broken: the app then refuses)."""
    try:
        return _auth_section() is not None
    except _BrokenSecrets:
        return True


def people_changed() -> None:
    """Call after a change of people or roles: every session resolves its actor again at its next run."""
    _generation[0] += 1


@st.cache_resource(show_spinner=False)
def _first_admin_from_env(path: str, value: str) -> str | None:
    """Apply ``$SOP_ADMIN_EMAIL`` once per process and store (errors are not cached: shown every run)."""
    added = apply_admin_env(get_store(), {ADMIN_ENV: value})
    if added:
        people_changed()
    return added


def _apply_admin_env() -> None:
    value = os.environ.get(ADMIN_ENV, "")
    if not value.strip():
        return
    try:
        _first_admin_from_env(get_store().path, value)
    except ValueError as exc:
        _stop(str(exc), icon=":material/error:")


def _stop(message: str, icon: str = ":material/lock:", sign_out: bool = False) -> None:
    """Show only ``message`` (and a sign-out button) under a hidden navigation, then stop the run."""

    def screen() -> None:
        st.title("S&OP dashboard")
        st.error(message, icon=icon)
        if sign_out and st.button("Sign out", icon=":material/logout:"):
            st.logout()

    st.navigation([st.Page(screen, title="S&OP dashboard", url_path="blocked")], position="hidden").run()
    st.stop()


def _sign_in_screen(section: Mapping[str, Any]) -> None:
    """Nothing but the sign-in screen for a visitor who is not signed in."""

    def screen() -> None:
        st.title("S&OP dashboard")
        st.write("Sign in with your company account to continue.")
        names = providers(section)
        for name in names:
            label = "Sign in" if name == "default" or len(names) == 1 else f"Sign in with {name}"
            if st.button(label, type="primary", icon=":material/login:", key=f"sign_in_{name}"):
                st.login(None if name == "default" else name)

    st.navigation([st.Page(screen, title="Sign in", url_path="sign-in")], position="hidden").run()
    st.stop()


def current_actor() -> Actor:
    """The person acting in this session; shows the sign-in (or refusal) screen and stops when there is none.

    Local mode: :func:`~sop_core.people.local_actor`. Signed in: the provider's e-mail resolved with
    :func:`~sop_core.people.actor_for`; an e-mail the provider marks unverified is refused, and so is
    a person without any role (the default role ``none``).
    """
    try:
        section = _auth_section()
    except _BrokenSecrets as exc:
        _stop(f"{exc} {README_HINT}", icon=":material/error:")
        raise  # unreachable: _stop() stops the run
    if section is None:
        return local_actor(str(st.session_state.get(LOCAL_NAME_KEY) or "").strip() or None)
    problem = config_problem(section)
    if problem:
        _stop(f"Sign-in is configured but incomplete ({problem}). {README_HINT}", icon=":material/error:")
    if not st.user.is_logged_in:
        _sign_in_screen(section)
    email, verified = st.user.get("email"), st.user.get("email_verified")
    if not isinstance(email, str) or not email or verified is False:
        _stop(
            "Your identity provider did not confirm an e-mail address for you, so the app cannot tell who "
            "you are. Ask the administrator to release a verified e-mail claim.",
            sign_out=True,
        )
    cached = st.session_state.get(SESSION_KEY)
    key = (str(email).strip().lower(), _generation[0])
    if cached is not None and cached[0] == key and time.monotonic() - cached[1] < REFRESH_SECONDS:
        actor: Actor = cached[2]
    else:
        name = st.user.get("name")
        try:
            actor = actor_for(get_store(), str(email), name if isinstance(name, str) else None)
        except ValueError:
            _stop("The e-mail address your identity provider gave is not valid here.", sign_out=True)
            raise  # unreachable
        st.session_state[SESSION_KEY] = (key, time.monotonic(), actor)
    if not can(actor, "view"):
        _stop(
            f"You are signed in as {actor.email} but have no access to this dashboard. "
            "Ask an administrator to give you a role.",
            sign_out=True,
        )
    return actor


def _keep_local_name() -> None:
    st.session_state[LOCAL_NAME_KEY] = str(st.session_state.get(f"{LOCAL_NAME_KEY}_input") or "").strip()


def render_identity(actor: Actor) -> None:
    """The sidebar's who-am-I: the local-mode badge, or name, e-mail, roles and a sign-out button."""
    side = st.sidebar
    if actor.local:
        side.badge("Local mode — sign-in not configured", icon=":material/lock_open:", color="orange")
        side.caption("Whoever opens this app acts as the local user, with every role. " + README_HINT)
        # The name lives in its own session key, not the widget's: the very first run of a fresh server
        # happens in Streamlit's pages-folder mode (sop_ui/store.py), where the widget's id differs, and a
        # widget-owned value typed then would be dropped at the next run.
        side.text_input(
            "Your name",
            value=str(st.session_state.get(LOCAL_NAME_KEY) or ""),
            key=f"{LOCAL_NAME_KEY}_input",
            placeholder="Local user",
            help="Signs every change you make in this session (uploads, overrides, decisions, approvals).",
            on_change=_keep_local_name,
        )
        return
    side.markdown(f"**{actor.name}**" if actor.name != actor.email else f"**{actor.email}**")
    if actor.name != actor.email:
        side.caption(actor.email)
    side.caption(f"Roles: {actor.role_text}" + ("" if actor.registered else " (default role; not listed)"))
    if side.button("Sign out", icon=":material/logout:", key="sign_out"):
        st.logout()


def sign_in_gate() -> Actor:
    """For ``app.py`` before navigation: the first admin from the environment, the gate, the sidebar identity."""
    _apply_admin_env()
    actor = current_actor()
    render_identity(actor)
    return actor


def admin_pages(actor: Actor) -> dict[str, list[Any]]:
    """The ``Admin`` navigation group: for people who may manage people (and in local mode), else empty."""
    if not can(actor, "manage_people"):
        return {}
    return {"Admin": [st.Page("pages/admin.py", title="People", icon=":material/group:")]}
