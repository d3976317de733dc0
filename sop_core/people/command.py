"""Who acts on the command line: ``--as EMAIL`` (default ``$SOP_USER``) resolved against the store.

Every writing command (``import``, ``revert``, ``cycle …``, ``decisions …``, ``users …``) adds the
option with :func:`add_as_option` and gets its :class:`~.actor.Actor` from :func:`command_actor`.

* While the store lists nobody (a fresh or demo store, before the first admin), the command acts as
  the local user with every role, named by ``--as`` or the login name: the same single-user mode as
  the app without sign-in.
* Once people are listed, ``--as`` must name who acts and that person's roles decide, exactly as
  when they sign in to the app.

Shell access to the store's file is full access to its data, so ``--as`` keeps mistakes out and
signs the change; it is not a security boundary (docs/security.md).
"""

from __future__ import annotations

import argparse
import functools
import getpass
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from ..store import Store
from .actor import Actor, local_actor
from .identity import actor_for

USER_ENV = "SOP_USER"
_CALLER: ContextVar[Mapping[str, str] | None] = ContextVar("sop_caller_env", default=None)


@contextmanager
def caller_environment(sop_user: str | None, login: str) -> Iterator[None]:
    """Resolve who acts from a caller's ``$SOP_USER`` and login name instead of this process's environment.

    The app runs commands handed over by the command line (``sop_core.jobs``): inside this block the
    defaults of ``--as`` are the caller's, never the dashboard's own environment.
    """
    token = _CALLER.set({USER_ENV: sop_user or "", "login": login})
    try:
        yield
    finally:
        _CALLER.reset(token)


def user_env() -> str:
    """``$SOP_USER`` of whoever runs the command (the caller's inside :func:`caller_environment`), or ``""``."""
    caller = _CALLER.get()
    return (caller.get(USER_ENV, "") if caller is not None else os.environ.get(USER_ENV, "")).strip()


class UsageError(Exception):
    """The command line lacks what the command needs (exit code 2)."""


def login_name() -> str:
    """``$SOP_USER``, else the operating system's login name, else ``unknown`` (the caller's: :func:`user_env`)."""
    caller = _CALLER.get()
    if caller is not None:
        return user_env() or caller.get("login", "") or "unknown"
    try:
        return os.environ.get(USER_ENV) or getpass.getuser()
    except Exception:  # noqa: BLE001 - some containers have no login name
        return "unknown"


def anyone_listed(store: Store) -> bool:
    """True when the store lists at least one person (the command line then needs ``--as``)."""
    with store.cursor() as cur:
        return bool(cur.execute("SELECT count(*) FROM people").fetchall()[0][0])


def command_actor(store: Store, as_email: str | None) -> Actor:
    """The :class:`Actor` of a command: ``as_email`` (else ``$SOP_USER``) with its roles from the store.

    A store that lists nobody gives the local user (every role) named ``as_email`` or the login
    name. ``UsageError`` when people are listed and nobody is named; ``ValueError`` when the name
    given is not an e-mail address.
    """
    email = (as_email or user_env()).strip()
    if not anyone_listed(store):
        return local_actor(email or login_name())
    if not email:
        raise UsageError(f"name who acts: --as EMAIL (or set ${USER_ENV}); this store lists its people")
    try:
        return actor_for(store, email)
    except ValueError:
        raise ValueError(f"--as / ${USER_ENV} must be an e-mail address, not {email!r}") from None


Handler = Callable[[argparse.Namespace], int]


def refusals(*refused: type[Exception]) -> Callable[[Handler], Handler]:
    """Wrap a command handler: naming nobody prints ``error: …`` and exits 2; a refusal prints ``refused: …``
    and exits 1 (nothing was written). A wrong role (``PermissionError``) and a bad value (``ValueError``,
    e.g. ``--as`` not an e-mail) are refusals, and so are the ``refused`` exception types given.
    """

    caught: tuple[type[Exception], ...] = (PermissionError, ValueError, *refused)

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def run(args: argparse.Namespace) -> int:
            try:
                return handler(args)
            except UsageError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            except caught as exc:
                print(f"refused: {exc}", file=sys.stderr)
                return 1

        return run

    return wrap


def add_as_option(parser: argparse.ArgumentParser, *aliases: str) -> None:
    """Add ``--as EMAIL`` (dest ``as_email``) to ``parser``; ``aliases`` are older spellings kept working."""
    parser.add_argument(
        "--as",
        *aliases,
        dest="as_email",
        metavar="EMAIL",
        default=None,
        help=f"who acts (default: ${USER_ENV}); their roles come from the store (any name while it lists nobody)",
    )
