"""People and permissions in the engine: the permission table, the role check, the directory, the first admin."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from sop_core import Store, open_store
from sop_core.people import (
    NO_ACCESS,
    PERMISSIONS,
    ROLES,
    Actor,
    actor_for,
    add_first_admin,
    add_person,
    apply_admin_env,
    can,
    default_role,
    get_person,
    has_admin,
    list_people,
    local_actor,
    people_history,
    remove_person,
    require,
    set_default_role,
    set_name,
    set_roles,
)

ADMIN = Actor(email="boss@example.com", name="Boss", roles=frozenset({"admin"}), registered=True)


@pytest.fixture()
def store() -> Iterator[Store]:
    """A fresh in-memory store with one admin (boss) and one planner (ann)."""
    store = open_store(":memory:")
    assert add_first_admin(store, "boss@example.com", source="test", name="Boss")
    add_person(store, ADMIN, "ann@example.com", ["planner"], name="Ann")
    yield store
    store.close()


def as_role(*roles: str) -> Actor:
    return Actor(email="someone@example.com", name="Someone", roles=frozenset(roles), registered=True)


def audit_rows(store: Store) -> int:
    return int(store.scalar("SELECT count(*) FROM people_audit"))


# ------------------------------------------------------------------------------ the permission table
@pytest.mark.parametrize(
    ("role", "actions"),
    [
        ("viewer", {"view"}),
        ("planner", {"view", "upload", "forecast", "supply_plan", "scenario", "run_cycle", "sign_off", "decide"}),
        ("finance", {"view", "budget", "sign_off", "decide"}),
        ("executive", {"view", "sign_off", "decide", "approve"}),
        ("admin", {"view", "manage_people", "settings"}),
    ],
)
def test_each_role_may_do_what_the_issue_says(role: str, actions: set[str]):
    assert {action for action in PERMISSIONS if can(as_role(role), action)} == actions


def test_the_refusal_names_person_roles_action_and_the_roles_needed():
    viewer = Actor(email="ann@example.com", name="Ann", roles=frozenset({"viewer"}))
    with pytest.raises(
        PermissionError, match=r"^ann@example.com \(viewer\) may not approve or reopen plans: needs executive$"
    ):
        require(viewer, "approve")
    with pytest.raises(PermissionError, match=r"\(planner, finance\) may not manage people and roles: needs admin"):
        require(as_role("finance", "planner"), "manage_people")
    with pytest.raises(PermissionError, match=r"\(no role\) may not see the dashboard"):
        require(as_role(), "view")
    require(as_role("viewer", "executive"), "approve")  # several roles: any one allows


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(KeyError, match="unknown action 'aprove'"):
        can(ADMIN, "aprove")


def test_local_mode_actor_holds_every_role_and_is_labelled():
    actor = local_actor()
    assert actor.local and set(actor.roles) == set(ROLES)
    assert all(can(actor, action) for action in PERMISSIONS)
    assert actor.author == "Local user" and "local mode" in actor.label
    assert local_actor("Pat").author == "Pat"  # the name typed in the sidebar signs the changes


# ------------------------------------------------------------------------------ every write refuses the wrong role
WRITES: dict[str, Callable[[Store, Actor], object]] = {
    "add_person": lambda s, a: add_person(s, a, "new@example.com", ["viewer"]),
    "set_roles": lambda s, a: set_roles(s, a, "ann@example.com", ["planner", "finance"]),
    "set_name": lambda s, a: set_name(s, a, "ann@example.com", "Ann B."),
    "remove_person": lambda s, a: remove_person(s, a, "ann@example.com"),
    "set_default_role": lambda s, a: set_default_role(s, a, "planner"),
}


@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize("role", ["viewer", "planner", "finance", "executive"])
def test_each_people_write_refuses_a_non_admin(store: Store, write: str, role: str):
    before = audit_rows(store)
    with pytest.raises(PermissionError, match=rf"someone@example.com \({role}\) may not .*: needs admin"):
        WRITES[write](store, as_role(role))
    assert audit_rows(store) == before
    assert {p.email: p.roles for p in list_people(store)} == {
        "ann@example.com": ("planner",),
        "boss@example.com": ("admin",),
    }
    assert default_role(store) == "viewer"


@pytest.mark.parametrize("write", list(WRITES))
def test_each_people_write_is_audited_with_the_acting_person(store: Store, write: str):
    before = audit_rows(store)
    WRITES[write](store, ADMIN)
    assert audit_rows(store) == before + 1
    assert people_history(store, limit=1)["changed_by"].tolist() == ["boss@example.com"]


# ------------------------------------------------------------------------------ the directory
def test_add_change_and_remove_a_person(store: Store):
    person = add_person(store, ADMIN, "  Carl@Example.COM ", ["executive", "planner"], name="Carl")
    assert person.email == "carl@example.com" and person.roles == ("planner", "executive")
    assert person.created_by == "boss@example.com"
    assert set_roles(store, ADMIN, "CARL@example.com", ["finance"]).roles == ("finance",)
    remove_person(store, ADMIN, "carl@example.com")
    assert get_person(store, "carl@example.com") is None
    history = people_history(store)
    assert history["change"].tolist()[:3] == ["remove", "roles", "add"]
    assert history["old_value"].tolist()[1] == "planner, executive" and history["new_value"].tolist()[1] == "finance"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: add_person(s, ADMIN, "ann@example.com", ["viewer"]), "already listed"),
        (lambda s: add_person(s, ADMIN, "not-an-email", ["viewer"]), "not an e-mail address"),
        (lambda s: add_person(s, ADMIN, "x@example.com", ["wizard"]), "unknown role"),
        (lambda s: set_roles(s, ADMIN, "nobody@example.com", ["viewer"]), "not listed"),
        (lambda s: remove_person(s, ADMIN, "nobody@example.com"), "not listed"),
        (lambda s: set_default_role(s, ADMIN, "admin"), "default role must be one of"),
        (lambda s: remove_person(s, ADMIN, "boss@example.com"), "nobody with the admin role"),
        (lambda s: set_roles(s, ADMIN, "boss@example.com", ["planner"]), "nobody with the admin role"),
    ],
)
def test_invalid_changes_are_refused_and_write_nothing(store: Store, call, message: str):
    before = audit_rows(store)
    with pytest.raises(ValueError, match=message):
        call(store)
    assert audit_rows(store) == before
    assert has_admin(store) and get_person(store, "ann@example.com") is not None


def test_an_admin_may_hand_over_and_then_step_down(store: Store):
    set_roles(store, ADMIN, "ann@example.com", ["planner", "admin"])
    remove_person(store, ADMIN, "boss@example.com")
    assert [p.email for p in list_people(store)] == ["ann@example.com"]


# ------------------------------------------------------------------------------ resolving a signed-in identity
def test_a_listed_person_gets_their_roles(store: Store):
    actor = actor_for(store, "ANN@example.com", name="Ann from the provider")
    assert actor == Actor(email="ann@example.com", name="Ann", roles=frozenset({"planner"}), registered=True)
    assert actor.author == "ann@example.com"


def test_an_unknown_signed_in_person_gets_the_default_role(store: Store):
    actor = actor_for(store, "new@example.com", name="New Person")
    assert actor.roles == frozenset({"viewer"}) and not actor.registered and actor.name == "New Person"
    assert not can(actor, "upload")
    set_default_role(store, ADMIN, "planner")
    assert actor_for(store, "new@example.com").roles == frozenset({"planner"})
    set_default_role(store, ADMIN, NO_ACCESS)
    nobody = actor_for(store, "new@example.com")
    assert nobody.roles == frozenset() and not can(nobody, "view")


def test_a_listed_person_without_roles_has_no_access_whatever_the_default(store: Store):
    set_roles(store, ADMIN, "ann@example.com", [])
    assert not can(actor_for(store, "ann@example.com"), "view")


def test_the_default_role_survives_a_demo_reload(tmp_path):
    from sop_core import load_demo

    with open_store(tmp_path / "sop.duckdb") as store:
        add_first_admin(store, "boss@example.com", source="test")
        set_default_role(store, ADMIN, NO_ACCESS)
        load_demo(store, replace=True)
    with open_store(tmp_path / "sop.duckdb") as store:
        assert default_role(store) == NO_ACCESS and has_admin(store)


# ------------------------------------------------------------------------------ the first admin
def test_the_first_admin_comes_from_the_environment():
    with open_store(":memory:") as store:
        assert apply_admin_env(store, {}) is None and not has_admin(store)
        assert apply_admin_env(store, {"SOP_ADMIN_EMAIL": " Boss@Example.com "}) == "boss@example.com"
        assert actor_for(store, "boss@example.com").roles == frozenset({"admin"})
        assert people_history(store)["changed_by"].tolist() == ["first admin ($SOP_ADMIN_EMAIL)"]
        # once there is an admin, the variable can no longer make anyone admin
        assert apply_admin_env(store, {"SOP_ADMIN_EMAIL": "intruder@example.com"}) is None
        assert get_person(store, "intruder@example.com") is None


def test_a_bad_admin_variable_is_an_error_not_ignored():
    with open_store(":memory:") as store, pytest.raises(ValueError, match=r"\$SOP_ADMIN_EMAIL is not an e-mail"):
        apply_admin_env(store, {"SOP_ADMIN_EMAIL": "boss"})


def test_a_listed_person_becomes_first_admin_keeping_their_roles():
    with open_store(":memory:") as store:
        with store.transaction() as cur:  # a store whose people were filled in without an admin
            cur.execute("INSERT INTO people (email, name, created_by) VALUES ('ann@example.com', 'Ann', 'sql')")
            cur.execute(
                "INSERT INTO person_roles (email, role, granted_by) VALUES ('ann@example.com', 'planner', 'sql')"
            )
        assert add_first_admin(store, "ann@example.com", source="test")
        assert get_person(store, "ann@example.com").roles == ("planner", "admin")  # type: ignore[union-attr]  # the person exists: added above
        assert not add_first_admin(store, "carl@example.com", source="test")  # there is an admin already
        assert get_person(store, "carl@example.com") is None


# ------------------------------------------------------------------------------ the command line's actor
def test_the_command_line_names_who_acts_once_people_are_listed(store: Store, monkeypatch: pytest.MonkeyPatch):
    from sop_core.people import UsageError, command_actor
    from sop_core.people.command import caller_environment, login_name

    monkeypatch.delenv("SOP_USER", raising=False)
    with pytest.raises(UsageError, match="--as EMAIL"):
        command_actor(store, None)
    assert command_actor(store, "ANN@example.com").roles == frozenset({"planner"})
    monkeypatch.setenv("SOP_USER", "boss@example.com")
    assert command_actor(store, None).email == "boss@example.com"
    # a command handed to the app acts in its caller's environment, never in the app's
    with caller_environment(None, "caller"):
        assert login_name() == "caller"
        with pytest.raises(UsageError):
            command_actor(store, None)
    with caller_environment("ann@example.com", "caller"):
        assert command_actor(store, None).email == "ann@example.com"


def test_the_command_line_acts_locally_while_nobody_is_listed(monkeypatch: pytest.MonkeyPatch):
    from sop_core.people import command_actor

    monkeypatch.setenv("SOP_USER", "pat")
    with open_store(":memory:") as empty:
        actor = command_actor(empty, None)
        assert actor.local and actor.author == "pat" and set(actor.roles) == set(ROLES)
        assert command_actor(empty, "ines@example.com").author == "ines@example.com"
