"""``access.permissions.covers_all``: does a user's grant for an action cover every association?"""

from django.db.models import Q

from finsam.access.permissions import association_filter, covers_all
from finsam.domain.access import Action, Role


def test_only_a_grant_over_all_associations_covers_all(world):
    users = world["users"]
    assert covers_all(users["national_analyst"], Action.VIEW_REPORTS)
    assert covers_all(users["system_admin"], Action.VIEW_AUDIT)
    for role in (Role.ASSOCIATION_ADMIN, Role.BOARD_READER, Role.PARTICIPANT_HANDLER):
        assert not covers_all(users[role.value], Action.VIEW_REPORTS)
    assert not covers_all(users["association_admin"], Action.VIEW_AUDIT)


def test_covers_all_agrees_with_an_unrestricted_filter(world):
    for user in world["users"].values():
        for action in Action:
            assert covers_all(user, action) == (association_filter(user, action) == Q())
