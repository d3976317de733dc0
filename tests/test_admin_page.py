"""The sign-in gate and the People page under AppTest: local mode, and sign-in with simulated identities."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sop_core import open_store
from sop_core.people import actor_for, get_person, people_history
from tests.support.apptest import AUTH
from tests.support.stores import ROOT

APP = str(ROOT / "app.py")
ADMIN_PAGE = "pages/admin.py"

pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty store (the People page needs no data) and an admin from the environment."""
    path = tmp_path / "sop.duckdb"
    monkeypatch.setenv("SOP_DB_PATH", str(path))
    monkeypatch.setenv("SOP_DEMO", "0")
    monkeypatch.setenv("SOP_ADMIN_EMAIL", "boss@example.com")
    return path


def signed_in(user: dict | None, auth: dict | None = None) -> AppTest:
    """The app with ``[auth]`` in its secrets and ``user`` as ``st.user`` (``None``: not signed in)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets = {"auth": auth or AUTH}
    at.user = {"is_logged_in": False} if user is None else {"is_logged_in": True, **user}
    return at.run()


def texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in [*at.title, *at.markdown, *at.error, *at.caption, *at.info])


# ------------------------------------------------------------------------------ local mode
def test_local_mode_is_labelled_and_shows_the_people_page(db: Path):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Local mode — sign-in not configured" in m.value for m in at.sidebar.markdown)
    at.switch_page(ADMIN_PAGE).run()
    assert [t.value for t in at.title] == ["People"] and at.info, "the local-mode note"
    assert at.dataframe[0].value["email"].tolist() == ["boss@example.com"]  # the first admin from the environment


def test_the_people_page_adds_changes_and_removes_through_the_engine(db: Path):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(ADMIN_PAGE).run()
    at.text_input(key="admin_add_email").input("Ann@Example.com")
    at.multiselect(key="admin_add_roles").set_value(["planner", "finance"])
    at.button[0].click().run()  # the form's Add
    assert not at.exception and [s.value for s in at.success] == ["Added ann@example.com."]
    at.selectbox(key="admin_edit_person").set_value("ann@example.com").run()
    at.multiselect(key="admin_edit_roles_ann@example.com").set_value(["executive"]).run()
    at.button(key="admin_save_roles").click().run()
    assert [s.value for s in at.success] == ["Saved the roles of ann@example.com."]
    at.selectbox(key="admin_default_role").set_value("none").run()
    at.button(key="admin_save_default").click().run()
    at.text_input(key="admin_add_email").input("not-an-email")
    at.button[0].click().run()
    assert any("not an e-mail address" in e.value for e in at.error)
    at.selectbox(key="admin_edit_person").set_value("boss@example.com").run()
    at.button(key="admin_remove").click().run()
    assert any("nobody with the admin role" in e.value for e in at.error)
    at.selectbox(key="admin_edit_person").set_value("ann@example.com").run()
    at.button(key="admin_remove").click().run()
    assert not at.exception
    with open_store(db) as store:
        assert get_person(store, "ann@example.com") is None
        assert actor_for(store, "stranger@example.com").roles == frozenset()  # default role: none
        assert people_history(store)["change"].tolist()[:4] == ["remove", "setting", "roles", "add"]
        assert set(people_history(store)["changed_by"]) == {"Local user", "first admin ($SOP_ADMIN_EMAIL)"}


# ------------------------------------------------------------------------------ sign-in configured
def test_a_visitor_sees_only_the_sign_in_screen(db: Path):
    at = signed_in(None)
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"] and [t.value for t in at.title] == ["S&OP dashboard"]
    assert not at.sidebar.markdown and not at.get("plotly_chart") and not at.dataframe
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/data.py")


def test_a_viewer_sees_their_role_and_no_people_page(db: Path):
    at = signed_in({"email": "Vera@Example.com", "name": "Vera"})
    assert not at.exception
    assert [m.value for m in at.sidebar.markdown] == ["**Vera**"]
    captions = [c.value for c in at.sidebar.caption]
    assert "vera@example.com" in captions and "Roles: viewer (default role; not listed)" in captions
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(ADMIN_PAGE)


def test_the_admin_from_the_environment_gets_the_people_page(db: Path):
    at = signed_in({"email": "boss@example.com", "name": "Boss"})
    assert "Roles: admin" in [c.value for c in at.sidebar.caption]
    at.switch_page(ADMIN_PAGE).run()
    assert not at.exception and [t.value for t in at.title] == ["People"] and not at.info


def test_no_access_for_unlisted_people_when_the_default_is_none(db: Path):
    from sop_core.people import add_first_admin, set_default_role

    with open_store(db) as store:
        add_first_admin(store, "boss@example.com", source="test")
        set_default_role(store, actor_for(store, "boss@example.com"), "none")
    at = signed_in({"email": "stranger@example.com"})
    assert "have no access to this dashboard" in texts(at)
    assert [b.label for b in at.button] == ["Sign out"] and not at.sidebar.markdown


@pytest.mark.parametrize(
    ("user", "message"),
    [
        ({"name": "No Mail"}, "did not confirm an e-mail address"),
        ({"email": "eve@example.com", "email_verified": False}, "did not confirm an e-mail address"),
    ],
)
def test_an_identity_without_a_verified_email_is_refused(db: Path, user: dict, message: str):
    at = signed_in(user)
    assert message in texts(at) and not at.sidebar.markdown


@pytest.mark.parametrize(
    ("change", "lacks"),
    [
        ({"client_secret": None, "cookie_secret": None}, "cookie_secret, client_secret"),
        ({"client_id": "<client id>"}, "client_id"),  # still the example file's placeholder
        ({"cookie_secret": "short"}, "cookie_secret of at least 16 characters"),
    ],
)
def test_an_incomplete_auth_section_fails_closed(db: Path, change: dict, lacks: str):
    auth = {k: v for k, v in {**AUTH, **change}.items() if v is not None}
    at = signed_in({"email": "boss@example.com"}, auth=auth)
    assert f"incomplete ([auth] lacks: {lacks})" in texts(at)
    assert not at.button and not at.sidebar.markdown and "not-a-real-secret" not in texts(at)
