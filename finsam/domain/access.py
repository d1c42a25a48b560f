"""Roles and what each may do (``domain.md`` §5), as data.

The Django layer (``finsam.accounts.permissions``) resolves *scope* – which association a user
administers, which interventions a handler is assigned to – and asks this table whether the role
grants the action in that scope. Nothing else in the code decides who may do what.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    SYSTEM_ADMIN = "system_admin"
    ASSOCIATION_ADMIN = "association_admin"
    INTERVENTION_MANAGER = "intervention_manager"
    PARTICIPANT_HANDLER = "participant_handler"
    BOARD_READER = "board_reader"
    NATIONAL_ANALYST = "national_analyst"


def gettext_noop(text: str) -> str:
    """Marks a string for translation (extracted by ``makemessages``) without importing Django."""
    return text


ROLE_LABELS = {
    Role.SYSTEM_ADMIN: gettext_noop("Systemadministratör"),
    Role.ASSOCIATION_ADMIN: gettext_noop("Förbundsadministratör"),
    Role.INTERVENTION_MANAGER: gettext_noop("Insatsansvarig"),
    Role.PARTICIPANT_HANDLER: gettext_noop("Deltagaransvarig"),
    Role.BOARD_READER: gettext_noop("Styrelse/läsare"),
    Role.NATIONAL_ANALYST: gettext_noop("Nationell analytiker"),
}

ROLES_WITH_ASSOCIATION = frozenset(
    {
        Role.ASSOCIATION_ADMIN,
        Role.INTERVENTION_MANAGER,
        Role.PARTICIPANT_HANDLER,
        Role.BOARD_READER,
    }
)
"""Roles that are always held for one association."""

INCOMPATIBLE_ROLES = frozenset({frozenset({Role.ASSOCIATION_ADMIN, Role.PARTICIPANT_HANDLER})})
"""Role pairs one user may not hold at the same time (the administrator sees no identity data)."""


class Scope(StrEnum):
    ALL = "all"
    """Every association."""
    ASSOCIATION = "association"
    """The association the role is held for."""
    ASSIGNED = "assigned"
    """The interventions the user is assigned to (as manager or handler)."""


class Action(StrEnum):
    VIEW_ASSOCIATION = "view_association"
    EDIT_ASSOCIATION = "edit_association"
    VIEW_INTERVENTION = "view_intervention"
    CREATE_INTERVENTION = "create_intervention"
    EDIT_INTERVENTION = "edit_intervention"
    ASSIGN_STAFF = "assign_staff"
    VIEW_EPISODES = "view_episodes"
    """Episode details without identity (pseudonymised)."""
    VIEW_IDENTITY = "view_identity"
    """Decrypt and show identity numbers and names."""
    EDIT_EPISODES = "edit_episodes"
    """Enrol, exit, follow up, correct, record consent."""
    EDIT_VOLUME = "edit_volume"
    VIEW_REPORTS = "view_reports"
    VIEW_UNPROTECTED_REPORTS = "view_unprotected_reports"
    IMPORT_DATA = "import_data"
    EXPORT_MICRODATA = "export_microdata"
    """Pseudonymised micro data for evaluation – never identity."""
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"
    ADMIN_SITE = "admin_site"
    NATIONAL_MODELS = "national_models"
    """State allocation, evaluation and other national analyses."""
    VIEW_PAYBACK_PARAMETERS = "view_payback_parameters"
    """The socio-economic parameter table (monthly costs per support and actor)."""
    EDIT_PAYBACK_PARAMETERS = "edit_payback_parameters"
    """Upload a new version of the socio-economic parameter table."""
    FILE_DEVIATION = "file_deviation"
    """File a deviation report (Lex Heller) for the association."""
    VIEW_DEVIATIONS = "view_deviations"
    """The association's deviation reports one by one (they hold no identifying data)."""
    HANDLE_DEVIATIONS = "handle_deviations"
    """The preparatory group's work: classify, assign an owner, record actions, close."""
    VIEW_DEVIATION_STATISTICS = "view_deviation_statistics"
    """Counts of deviation reports (protected unless also ``VIEW_UNPROTECTED_…``)."""
    VIEW_UNPROTECTED_DEVIATION_STATISTICS = "view_unprotected_deviation_statistics"
    VIEW_INDICATOR_DEFINITIONS = "view_indicator_definitions"
    """Read the core indicators and their questionnaire versions."""
    EDIT_INDICATOR_DEFINITIONS = "edit_indicator_definitions"
    """Edit drafts, publish, import the national questionnaire definitions."""
    MANAGE_INDICATOR_ROUNDS = "manage_indicator_rounds"
    """Open and close collection rounds and generate one-time links."""
    ENTER_INDICATOR_ANSWERS = "enter_indicator_answers"
    """Enter answers given on paper."""
    VIEW_INDICATOR_RESULTS = "view_indicator_results"
    """Indicator results (always protected: the answers are anonymous)."""
    SIGN_OFF_PERIOD = "sign_off_period"
    """Sign off a year or half-year of the association's registrations, and reopen it."""
    VIEW_SIGNOFF_STATUS = "view_signoff_status"
    """The table of which associations have signed off which periods."""


@dataclass(frozen=True, slots=True)
class Grant:
    role: Role
    action: Action
    scope: Scope


_A, _S = Action, Scope
_DEVIATION_STAFF = (
    (_A.FILE_DEVIATION, _S.ASSOCIATION),
    (_A.VIEW_DEVIATIONS, _S.ASSOCIATION),
    (_A.VIEW_DEVIATION_STATISTICS, _S.ASSOCIATION),
    (_A.VIEW_UNPROTECTED_DEVIATION_STATISTICS, _S.ASSOCIATION),
)
"""Every association staff role files, reads and counts its deviation reports (the board reads
and counts them but files none: ``domain.md`` §5 gives it no changes, ``docs/decisions.md``)."""
GRANTS: tuple[Grant, ...] = tuple(
    Grant(role, action, scope)
    for role, pairs in {
        Role.SYSTEM_ADMIN: [
            (_A.VIEW_ASSOCIATION, _S.ALL),
            (_A.EDIT_ASSOCIATION, _S.ALL),
            (_A.VIEW_INTERVENTION, _S.ALL),
            (_A.MANAGE_USERS, _S.ALL),
            (_A.VIEW_AUDIT, _S.ALL),
            (_A.ADMIN_SITE, _S.ALL),
            (_A.VIEW_INDICATOR_DEFINITIONS, _S.ALL),
            (_A.EDIT_INDICATOR_DEFINITIONS, _S.ALL),
            (_A.VIEW_SIGNOFF_STATUS, _S.ALL),
            # national configuration tables; the analyst, who changes nothing (§5), supplies
            # the figures (docs/decisions.md, "Roles")
            (_A.VIEW_PAYBACK_PARAMETERS, _S.ALL),
            (_A.EDIT_PAYBACK_PARAMETERS, _S.ALL),
        ],
        Role.ASSOCIATION_ADMIN: [
            (_A.VIEW_ASSOCIATION, _S.ASSOCIATION),
            (_A.EDIT_ASSOCIATION, _S.ASSOCIATION),
            (_A.VIEW_INTERVENTION, _S.ASSOCIATION),
            (_A.CREATE_INTERVENTION, _S.ASSOCIATION),
            (_A.EDIT_INTERVENTION, _S.ASSOCIATION),
            (_A.ASSIGN_STAFF, _S.ASSOCIATION),
            (_A.VIEW_EPISODES, _S.ASSOCIATION),
            (_A.VIEW_REPORTS, _S.ASSOCIATION),
            (_A.VIEW_UNPROTECTED_REPORTS, _S.ASSOCIATION),
            (_A.IMPORT_DATA, _S.ASSOCIATION),
            (_A.MANAGE_USERS, _S.ASSOCIATION),
            (_A.VIEW_AUDIT, _S.ASSOCIATION),
            (_A.VIEW_PAYBACK_PARAMETERS, _S.ASSOCIATION),
            *_DEVIATION_STAFF,
            (_A.HANDLE_DEVIATIONS, _S.ASSOCIATION),
            (_A.VIEW_INDICATOR_DEFINITIONS, _S.ALL),
            (_A.MANAGE_INDICATOR_ROUNDS, _S.ASSOCIATION),
            (_A.ENTER_INDICATOR_ANSWERS, _S.ASSOCIATION),
            (_A.VIEW_INDICATOR_RESULTS, _S.ASSOCIATION),
            (_A.SIGN_OFF_PERIOD, _S.ASSOCIATION),
        ],
        Role.INTERVENTION_MANAGER: [
            (_A.VIEW_ASSOCIATION, _S.ASSOCIATION),
            (_A.VIEW_INTERVENTION, _S.ASSOCIATION),
            (_A.EDIT_INTERVENTION, _S.ASSIGNED),
            (_A.ASSIGN_STAFF, _S.ASSIGNED),
            (_A.EDIT_VOLUME, _S.ASSIGNED),
            (_A.VIEW_REPORTS, _S.ASSOCIATION),
            *_DEVIATION_STAFF,
            (_A.VIEW_INDICATOR_DEFINITIONS, _S.ALL),
            (_A.ENTER_INDICATOR_ANSWERS, _S.ASSIGNED),
            (_A.VIEW_INDICATOR_RESULTS, _S.ASSOCIATION),
        ],
        Role.PARTICIPANT_HANDLER: [
            (_A.VIEW_ASSOCIATION, _S.ASSOCIATION),
            (_A.VIEW_INTERVENTION, _S.ASSIGNED),
            (_A.VIEW_EPISODES, _S.ASSIGNED),
            (_A.VIEW_IDENTITY, _S.ASSIGNED),
            (_A.EDIT_EPISODES, _S.ASSIGNED),
            (_A.EDIT_VOLUME, _S.ASSIGNED),
            (_A.VIEW_REPORTS, _S.ASSOCIATION),
            (_A.VIEW_UNPROTECTED_REPORTS, _S.ASSOCIATION),
            *_DEVIATION_STAFF,
            (_A.VIEW_INDICATOR_DEFINITIONS, _S.ALL),
            (_A.ENTER_INDICATOR_ANSWERS, _S.ASSIGNED),
            (_A.VIEW_INDICATOR_RESULTS, _S.ASSOCIATION),
        ],
        Role.BOARD_READER: [
            (_A.VIEW_ASSOCIATION, _S.ASSOCIATION),
            (_A.VIEW_INTERVENTION, _S.ASSOCIATION),
            (_A.VIEW_REPORTS, _S.ASSOCIATION),
            *(pair for pair in _DEVIATION_STAFF if pair[0] != _A.FILE_DEVIATION),
            (_A.VIEW_INDICATOR_DEFINITIONS, _S.ALL),
            (_A.VIEW_INDICATOR_RESULTS, _S.ASSOCIATION),
        ],
        Role.NATIONAL_ANALYST: [
            (_A.VIEW_ASSOCIATION, _S.ALL),
            (_A.VIEW_INTERVENTION, _S.ALL),
            (_A.VIEW_REPORTS, _S.ALL),
            (_A.EXPORT_MICRODATA, _S.ALL),
            (_A.NATIONAL_MODELS, _S.ALL),
            (_A.VIEW_PAYBACK_PARAMETERS, _S.ALL),
            (_A.VIEW_DEVIATION_STATISTICS, _S.ALL),
            (_A.VIEW_INDICATOR_DEFINITIONS, _S.ALL),
            (_A.VIEW_INDICATOR_RESULTS, _S.ALL),
            (_A.VIEW_SIGNOFF_STATUS, _S.ALL),
        ],
    }.items()
    for action, scope in pairs
)

_BY_ROLE_ACTION: dict[tuple[Role, Action], Scope] = {(g.role, g.action): g.scope for g in GRANTS}


def scope_of(role: Role | str, action: Action | str) -> Scope | None:
    """The scope in which ``role`` may perform ``action``, or ``None`` when it may not at all."""
    return _BY_ROLE_ACTION.get((Role(role), Action(action)))


def incompatible_with(existing: set[Role] | set[str], new: Role | str) -> Role | None:
    """The role among ``existing`` that may not be combined with ``new``, if any."""
    new_role = Role(new)
    for r in existing:
        if frozenset({Role(r), new_role}) in INCOMPATIBLE_ROLES:
            return Role(r)
    return None
