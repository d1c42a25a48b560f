from hypothesis import given
from hypothesis import strategies as st

from finsam.domain.access import Role
from finsam.domain.signin import (
    ABSOLUTE,
    IDENTITY_ROLES,
    IDLE,
    needs_strong_auth,
    session_expiry,
    step_up_needed,
)


def test_only_the_participant_handler_sees_identity():
    assert {Role.PARTICIPANT_HANDLER} == IDENTITY_ROLES


def test_strong_auth_needed_only_when_required_and_role_sees_identity():
    assert needs_strong_auth({Role.PARTICIPANT_HANDLER, Role.BOARD_READER}, required=True)
    assert not needs_strong_auth({Role.PARTICIPANT_HANDLER}, required=False)
    assert not needs_strong_auth({Role.SYSTEM_ADMIN, Role.ASSOCIATION_ADMIN}, required=True)
    assert not needs_strong_auth(set(), required=True)


def test_session_expiry_edges():
    base = dict(idle_seconds=1800, max_seconds=36000)
    assert session_expiry(now=1000, login_at=None, seen_at=None, **base) is None
    assert session_expiry(now=1800, login_at=0, seen_at=0, **base) is None
    assert session_expiry(now=1801, login_at=0, seen_at=0, **base) == IDLE
    assert session_expiry(now=36001, login_at=0, seen_at=36000, **base) == ABSOLUTE
    # An absolute end wins over an idle one.
    assert session_expiry(now=50000, login_at=0, seen_at=0, **base) == ABSOLUTE


@given(
    login=st.integers(0, 10**6),
    idle_gap=st.integers(0, 10**5),
    active=st.integers(0, 10**5),
)
def test_an_active_session_within_the_lifetime_never_ends(login, idle_gap, active):
    idle, lifetime = 1800, 36000
    seen = login + min(active, lifetime)
    now = seen + min(idle_gap, idle)
    result = session_expiry(
        now=now, login_at=login, seen_at=seen, idle_seconds=idle, max_seconds=lifetime
    )
    assert result == (ABSOLUTE if now - login > lifetime else None)


def test_step_up():
    assert step_up_needed(now=100, authenticated_at=None, limit_seconds=900)
    assert not step_up_needed(now=1000, authenticated_at=100, limit_seconds=900)
    assert step_up_needed(now=1001, authenticated_at=100, limit_seconds=900)
    assert step_up_needed(now=100, authenticated_at=100, limit_seconds=0)
