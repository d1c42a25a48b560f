"""The broker's claims: the personal identity number (Swedish OIDC profile) or HSA-id."""

import json
from pathlib import Path

from django.conf import settings

PERSONAL_NUMBER = "https://id.oidc.se/claim/personalIdentityNumber"


def add_identity_claims(id_token, user=None, **kwargs):
    persons = json.loads(Path(settings.OIDC_PERSONS_FILE).read_text(encoding="utf-8"))
    person = persons.get(user.username, {})
    if person.get("personal_number"):
        id_token[PERSONAL_NUMBER] = person["personal_number"]
    if person.get("hsa_id"):
        id_token["employeeHsaId"] = person["hsa_id"]
    id_token["name"] = person.get("name", user.username)
    return id_token
