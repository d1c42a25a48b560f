"""Every write to the registry, one module per entity. Each service validates with
``finsam.domain.registration``, writes, and records the change (and any identity read) in the audit
log – all in one transaction. On a rule violation it raises :class:`DomainValidationError` and
nothing is written.

- ``associations``: associations, their area, members and board
- ``interventions``: interventions
- ``episodes``: enrolment, exit, correction, registration errors, follow-ups, volume counts
- ``questions``: answers to the association's own questions
- ``participants``: identity reveal, consent withdrawal, erasure, the access report
- ``keys``: the identity cipher and the pseudonym key

This package re-exports every public name, so ``from finsam.registry import services`` and
``services.episode_enrol(...)`` keep working. The look-ups the services use (``municipality_codes``,
``area_on``, ``episode_periods``, ``latest_withdrawals``, …) live in ``finsam.registry.selectors``
and are re-exported here for existing callers.
"""

from finsam.registry.selectors import (
    area_from,
    area_on,
    area_periods,
    district_municipalities,
    episode_periods,
    extra_questions_for,
    intervention_facts,
    latest_withdrawals,
    municipality_codes,
)
from finsam.registry.services.associations import (
    ASSOCIATION_FIELDS,
    area_add,
    area_overlap,
    area_update,
    association_save,
    board_member_add,
    member_add,
    validate_area,
    validate_association,
    validate_member,
)
from finsam.registry.services.episodes import (
    ENROLMENT_FIELDS,
    EXIT_FIELDS,
    apply_consent_withdrawal,
    enrolment_input_from,
    episode_correct,
    episode_enrol,
    episode_exit,
    episode_mark_error,
    exit_input_from,
    followup_record,
    volume_record,
)
from finsam.registry.services.interventions import (
    INTERVENTION_FIELDS,
    intervention_save,
)
from finsam.registry.services.keys import (
    identity_cipher,
    pseudonym_for,
)
from finsam.registry.services.participants import (
    consent_withdraw,
    participant_access_report,
    participant_erase,
    participant_identity_reveal,
)
from finsam.registry.services.questions import (
    extra_answers_save,
    extra_question_add,
)

__all__ = [
    "ASSOCIATION_FIELDS",
    "ENROLMENT_FIELDS",
    "EXIT_FIELDS",
    "INTERVENTION_FIELDS",
    "apply_consent_withdrawal",
    "area_add",
    "area_from",
    "area_on",
    "area_overlap",
    "area_periods",
    "area_update",
    "association_save",
    "board_member_add",
    "consent_withdraw",
    "district_municipalities",
    "enrolment_input_from",
    "episode_correct",
    "episode_enrol",
    "episode_exit",
    "episode_mark_error",
    "episode_periods",
    "exit_input_from",
    "extra_answers_save",
    "extra_question_add",
    "extra_questions_for",
    "followup_record",
    "identity_cipher",
    "intervention_facts",
    "intervention_save",
    "latest_withdrawals",
    "member_add",
    "municipality_codes",
    "participant_access_report",
    "participant_erase",
    "participant_identity_reveal",
    "pseudonym_for",
    "validate_area",
    "validate_association",
    "validate_member",
    "volume_record",
]
