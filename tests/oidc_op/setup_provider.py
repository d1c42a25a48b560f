"""Prepare the test provider's database: RSA key, Finsam as a client, test persons.

``python -m tests.oidc_op.setup_provider CONFIG.json`` with the settings module
``tests.oidc_op.settings``; CONFIG holds ``client_id``, ``client_secret``, ``redirect_uris``
and ``persons`` ({username: {password, personal_number | hsa_id, name}}).
"""

import json
import sys
from pathlib import Path

import django


def main(path: str) -> None:
    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType, RSAKey

    config = json.loads(Path(path).read_text(encoding="utf-8"))
    call_command("migrate", verbosity=0)
    if not RSAKey.objects.exists():
        call_command("creatersakey")
    client, _ = Client.objects.update_or_create(
        client_id=config["client_id"],
        defaults={
            "name": "Finsam",
            "client_type": "confidential",
            "client_secret": config["client_secret"],
            "jwt_alg": "RS256",
            "require_consent": False,
            "reuse_consent": True,
            "_redirect_uris": "\n".join(config["redirect_uris"]),
        },
    )
    client.response_types.set([ResponseType.objects.get(value="code")])
    for username, person in config["persons"].items():
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(person["password"])
        user.save()


if __name__ == "__main__":
    main(sys.argv[1])
