"""The audit as a controller reads it: Swedish action names, objects by name or key, field
changes with labels and code-list texts, local time (Europe/Stockholm)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone

from finsam.domain import codelists as cl
from finsam.domain.access import ROLE_LABELS, Role

ACTION_LABELS: dict[str, str] = {
    # generic changes recorded by finsam.audit.tracking (and the admin)
    "create": "Skapade",
    "update": "Ändrade",
    "delete": "Tog bort",
    "admin_create": "Skapade (administrationsgränssnittet)",
    "admin_update": "Ändrade (administrationsgränssnittet)",
    "admin_delete": "Tog bort (administrationsgränssnittet)",
    "password_set": "Satte lösenord",
    "password_change": "Ändrade lösenord",
    # access and sign-in
    "identity_read": "Läste identitetsuppgifter",
    "participant_search": "Sökte deltagare på personnummer i granskningsloggen",
    "participant_extract": "Registerutdrag (rätt till tillgång)",
    "participant_rectify": "Rättade identitetsuppgifter",
    "participant_erase": "Raderade identitetsuppgifter (radering)",
    "audit_export": "Exporterade granskningsloggen",
    "auth_login": "Loggade in",
    "auth_logout": "Loggade ut",
    "auth_login_failed": "Misslyckad inloggning",
    "auth_lockout": "Kontot spärrat efter för många försök",
    "auth_unlock": "Spärr hävd",
    "auth_mfa_failed": "Misslyckad tvåstegsverifiering",
    "auth_session_expired": "Sessionen löpte ut",
    # roles
    "role_grant": "Gav roll",
    "role_revoke": "Tog bort roll",
    "intervention_assign": "Tilldelade insats",
    "intervention_unassign": "Tog bort tilldelning till insats",
    # registry
    "association_create": "Skapade förbund",
    "association_update": "Ändrade förbund",
    "area_add": "Lade till kommun i förbundets område",
    "area_update": "Ändrade förbundets område",
    "member_save": "Sparade medlem",
    "board_member_add": "Lade till styrelseledamot",
    "intervention_create": "Skapade insats",
    "intervention_update": "Ändrade insats",
    "extra_question_add": "Lade till kompletterande fråga",
    "episode_enrol": "Skrev in deltagare",
    "episode_exit": "Skrev ut deltagare",
    "episode_correct": "Rättade inskrivning",
    "episode_mark_error": "Markerade felregistrering",
    "followup_record": "Registrerade uppföljning",
    "consent_withdraw": "Registrerade återkallat samtycke",
    "volume_record": "Registrerade volym",
    # finance
    "budget_year_save": "Sparade budgetår",
    "budget_line_save": "Sparade budgetrad",
    "budget_line_delete": "Tog bort budgetrad",
    "budget_lines_import": "Läste in budgetrader",
    # socio-economics, deviations, indicators
    "parameter_set_upload": "Laddade upp parametertabell",
    "deviation_file": "Lämnade avvikelserapport",
    "deviation_classify": "Klassade avvikelse",
    "deviation_action_add": "Registrerade åtgärd för avvikelse",
    "deviation_close": "Avslutade avvikelse",
    "questionnaire_create": "Skapade enkätversion",
    "questionnaire_update": "Ändrade enkätversion",
    "questionnaire_publish": "Publicerade enkätversion",
    "questionnaire_new_version": "Skapade ny enkätversion",
    "questionnaire_import": "Läste in enkätdefinitioner",
    "questionnaire_delete_draft": "Tog bort enkätutkast",
    "item_save": "Sparade enkätfråga",
    "item_delete": "Tog bort enkätfråga",
    "indicator_round_open": "Öppnade insamlingsomgång",
    "indicator_round_close": "Stängde insamlingsomgång",
    "indicator_tokens_generate": "Skapade svarslänkar",
    "indicator_response_web": "Svar via webben",
    "indicator_response_paper": "Registrerade pappersenkät",
    "indicator_responses_import": "Läste in enkätsvar",
}
_PREFIX_LABELS = {
    "export_": "Exporterade",
    "import_": "Läste in",
}

KEY_LABELS = {
    "username": "användarnamn",
    "client_address": "klientadress",
    "detail": "detalj",
    "kind": "filtyp",
    "rows": "rader",
    "with_identity": "med personnummer",
    "identities": "personnummer",
    "persons": "personer",
    "purpose": "ändamål",
    "format": "format",
    "filters": "urval",
}

# field name → how to read its values
_CODED = {
    "occupation_before": cl.OCCUPATION,
    "occupation_after": cl.OCCUPATION,
    "occupation": cl.OCCUPATION,
    "time_on_support": cl.TIME_ON_SUPPORT,
    "education": cl.EDUCATION,
    "exit_reason": cl.EXIT_REASON,
    "sex": cl.SEX,
    "orientation": cl.ORIENTATION,
    "registration": cl.REGISTRATION_METHOD,
    "status": cl.INTERVENTION_STATUS,
}
_SUPPORT_MASKS = {"support_before", "support_after", "support"}
_KIND = {"manager": "Insatsansvarig", "handler": "Deltagaransvarig"}


def action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    for prefix, label in _PREFIX_LABELS.items():
        if action.startswith(prefix):
            rest = action[len(prefix) :].replace("_identity", " med personnummer")
            return f"{label} {rest.replace('_', ' ').replace('-', ' ')}"
    return action.replace("_", " ")


def action_choices() -> list[tuple[str, str]]:
    return sorted(ACTION_LABELS.items(), key=lambda kv: kv[1])


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def type_label(object_type: str) -> str:
    model = _model(object_type)
    if model is None:
        return {"interchange.export": "export"}.get(object_type, object_type)
    return str(model._meta.verbose_name)


def local(at: datetime) -> datetime:
    return timezone.localtime(at)


def iso_local(at: datetime) -> str:
    """ISO 8601 in local time with the offset, to the second: ``2026-11-22T14:05:09+01:00``."""
    return local(at).replace(microsecond=0).isoformat()


def _value(field: str, value, refs: dict) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, list):
        return "; ".join(_value(field, v, refs) for v in value) or "–"
    if field in _SUPPORT_MASKS and isinstance(value, int):
        return "; ".join(cl.SUPPORT.label_of(c) for c in cl.support_codes(value)) or "–"
    if field in _SUPPORT_MASKS and isinstance(value, str):
        return cl.SUPPORT.label_of(value)
    if field in _CODED and isinstance(value, str):
        return _CODED[field].label_of(value)
    if field == "role" and value in Role.__members__.values():
        return str(ROLE_LABELS[Role(value)])
    if field == "kind" and value in _KIND:
        return _KIND[value]
    if field in refs and (field, value) in refs[field]:
        return refs[field][(field, value)]
    return str(value)


_FIELD_LABELS = {"support_before": "försörjning före", "support_after": "försörjning efter"}


def _field_label(model, field: str) -> str:
    if field in _FIELD_LABELS:
        return _FIELD_LABELS[field]
    if model is not None:
        try:
            return str(model._meta.get_field(field).verbose_name)
        except FieldDoesNotExist:
            pass
    return KEY_LABELS.get(field, field.replace("_", " "))


def changes_text(row, refs: dict | None = None) -> str:
    """``Fält: gammalt → nytt; …`` for diffs; ``fält: värde`` for other details."""
    refs = refs or {}
    model = _model(row.object_type)
    parts = []
    for field, value in (row.changes or {}).items():
        label = _field_label(model, field)
        if isinstance(value, list) and len(value) == 2 and field not in KEY_LABELS:
            old, new = value
            if old is None and new is not None:
                parts.append(f"{label}: {_value(field, new, refs)}")
            elif isinstance(old, str) and old in ("ändrad",):
                parts.append(f"{label}: ändrad")
            else:
                parts.append(f"{label}: {_value(field, old, refs)} → {_value(field, new, refs)}")
        elif value == "ändrad":
            parts.append(f"{label}: ändrad")
        else:
            parts.append(f"{label}: {_value(field, value, refs)}")
    return "; ".join(parts)


_FK_FIELDS = {
    "user": "accounts.User",
    "association": "registry.Association",
    "intervention": "registry.Intervention",
    "parameter_set": "socioeconomics.ParameterSet",
}


def _describe(obj) -> str:
    label = obj._meta.label
    if label == "registry.Participant":
        return f"Deltagare nr {obj.pk}"  # never the identity
    if label == "registry.Episode":
        return f"Inskrivning {obj.key} ({obj.intervention.code})"
    if label == "accounts.User":
        return obj.username
    return str(obj)


def resolve(rows) -> tuple[dict, dict, dict]:
    """Names for the objects, associations and referenced records of ``rows`` (a few queries
    per page, not per row)."""
    wanted: dict[str, set] = defaultdict(set)
    assoc_ids = set()
    fk_wanted: dict[str, set] = defaultdict(set)
    for r in rows:
        if r.object_type and r.object_id:
            wanted[r.object_type].add(r.object_id)
        if r.association_id:
            assoc_ids.add(r.association_id)
        for field, value in (r.changes or {}).items():
            if field in _FK_FIELDS and isinstance(value, list):
                fk_wanted[field] |= {v for v in value if isinstance(v, int)}
    objects = {}
    for object_type, ids in wanted.items():
        model = _model(object_type)
        if model is None:
            continue
        keys = [i for i in ids if str(i).isdigit()]
        qs = model._base_manager.filter(pk__in=keys)
        if object_type == "registry.Episode":
            qs = qs.select_related("intervention")
        for obj in qs:
            objects[(object_type, str(obj.pk))] = _describe(obj)
    Association = apps.get_model("registry.Association")
    associations = dict(Association.objects.filter(pk__in=assoc_ids).values_list("pk", "name"))
    refs: dict = {}
    for field, ids in fk_wanted.items():
        model = apps.get_model(_FK_FIELDS[field])
        refs[field] = {
            (field, obj.pk): _describe(obj) for obj in model._base_manager.filter(pk__in=ids)
        }
    return objects, associations, refs


COLUMNS = [
    ("nummer", "Löpnummer"),
    ("tid", "Tidpunkt"),
    ("anvandare", "Användare"),
    ("typ", "Typ"),
    ("handelse", "Händelse"),
    ("objekt", "Objekt"),
    ("forbund", "Förbund"),
    ("andringar", "Ändringar och uppgifter"),
    ("skal", "Skäl"),
    ("sammanfattning", "Sammanfattning"),
]


def readable_rows(rows) -> list[dict]:
    rows = list(rows)
    objects, associations, refs = resolve(rows)
    out = []
    for r in rows:
        if r.object_type and r.object_id:
            name = objects.get((r.object_type, r.object_id))
            objekt = name or f"{type_label(r.object_type)} nr {r.object_id} (finns inte längre)"
        else:
            objekt = type_label(r.object_type) if r.object_type else ""
        out.append(
            {
                "row": r,
                "nummer": r.seq,
                "tid": iso_local(r.at),
                "tid_visning": local(r.at).strftime("%Y-%m-%d %H:%M:%S"),
                "anvandare": r.actor_label,
                "typ": r.get_log_type_display(),
                "handelse": action_label(r.action),
                "objekt": objekt,
                "forbund": associations.get(r.association_id, "") if r.association_id else "",
                "andringar": changes_text(r, refs),
                "skal": r.reason,
                "sammanfattning": r.summary,
            }
        )
    return out
