"""``python -m sop_core users …``: the first admin, acting as a named person, exit codes 0 / 1 / 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sop_core import open_store
from sop_core.__main__ import main
from sop_core.people import actor_for, get_person, people_history
from tests.support.stores import ROOT


@pytest.fixture(autouse=True)
def _no_ambient_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOP_USER", raising=False)
    monkeypatch.delenv("SOP_ADMIN_EMAIL", raising=False)


def users(db: str, *args: str) -> int:
    return main(["users", "--db", db, *args])


def test_first_admin_then_people_managed_as_the_admin(db_path: str, capsys: pytest.CaptureFixture[str]):
    assert users(db_path, "list") == 0
    assert "No people listed." in capsys.readouterr().out
    assert users(db_path, "add", "Boss@Example.com", "admin", "--name", "Boss") == 0  # no --as: the first admin
    assert "as the first admin" in capsys.readouterr().out
    assert users(db_path, "add", "ann@example.com", "planner", "finance", "--as", "boss@example.com") == 0
    assert users(db_path, "--as", "boss@example.com", "roles", "ann@example.com", "executive") == 0
    assert users(db_path, "add", "carl@example.com", "--as", "boss@example.com") == 0  # no ROLE: viewer
    assert users(db_path, "remove", "carl@example.com", "--as", "boss@example.com") == 0
    assert users(db_path, "default-role", "none", "--as", "boss@example.com") == 0
    capsys.readouterr()
    assert users(db_path, "list") == 0
    out = capsys.readouterr().out
    assert "ann@example.com" in out and "executive" in out and "carl@" not in out and "get: none" in out
    with open_store(db_path) as store:
        assert actor_for(store, "ann@example.com").roles == frozenset({"executive"})
        assert set(people_history(store)["changed_by"]) == {"first admin (command line)", "boss@example.com"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "x@example.com", "planner", "--as", "ann@example.com"], "ann@example.com (planner) may not manage"),
        (["add", "x@example.com", "planner", "--as", "stranger@example.com"], "(viewer) may not manage people"),
        (["add", "x@example.com", "wizard", "--as", "boss@example.com"], "unknown role(s) 'wizard'"),
        (["add", "not-an-email", "--as", "boss@example.com"], "not an e-mail address"),
        (["remove", "boss@example.com", "--as", "boss@example.com"], "nobody with the admin role"),
        (["roles", "nobody@example.com", "viewer", "--as", "boss@example.com"], "not listed"),
        (["default-role", "planner", "--as", "ann@example.com"], "may not change settings: needs admin"),
        (["add", "x@example.com", "--as", "boss"], "must be an e-mail address"),
    ],
)
def test_refusals_exit_1_and_write_nothing(
    db_path: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
):
    assert users(db_path, "add", "boss@example.com", "admin") == 0
    assert users(db_path, "add", "ann@example.com", "planner", "--as", "boss@example.com") == 0
    capsys.readouterr()
    assert users(db_path, *args) == 1
    assert message in capsys.readouterr().err
    with open_store(db_path) as store:
        assert get_person(store, "x@example.com") is None and len(people_history(store)) == 2


def test_a_change_without_a_named_person_is_a_usage_error(db_path: str, capsys: pytest.CaptureFixture[str]):
    assert users(db_path, "add", "boss@example.com", "admin") == 0
    assert users(db_path, "add", "ann@example.com", "planner") == 2
    assert "--as EMAIL" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        users(db_path, "promote", "ann@example.com")
    assert exc.value.code == 2


def test_before_any_admin_only_an_admin_can_be_added(db_path: str, capsys: pytest.CaptureFixture[str]):
    assert users(db_path, "add", "ann@example.com", "planner") == 1
    assert "no admin yet" in capsys.readouterr().err


def test_the_admin_variable_applies_to_the_command_line_too(db_path: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOP_ADMIN_EMAIL", "boss@example.com")
    monkeypatch.setenv("SOP_USER", "boss@example.com")  # the default for --as
    assert users(db_path, "add", "ann@example.com", "planner") == 0
    with open_store(db_path) as store:
        assert get_person(store, "ann@example.com") is not None


def test_the_module_runs_as_a_command(db_path: str):
    done = subprocess.run(
        [sys.executable, "-m", "sop_core", "users", "add", "boss@example.com", "admin", "--db", db_path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "sop_core", "users", "roles", "boss@example.com", "--db", db_path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "--as EMAIL" in done.stderr
