"""Forms: every error at once, required fields marked, identified/anonymous fields tagged for
the script (and all shown without it), and a form saved only once."""

import re

from django.urls import reverse

from tests.conftest import PNR_WOMAN


def enrol_url(world):
    return reverse("episode_enrol", args=[world["persons"].pk])


def test_every_error_at_once_on_the_enrolment_form(client, world):
    from finsam.registry.models import Episode

    client.force_login(world["users"]["participant_handler"])
    html = client.post(
        enrol_url(world),
        {
            "identity_level": "identified",
            "personal_number": "19900101-0008",
            "home_municipality": "9999",
        },
    ).content.decode()
    assert "Startdatum måste anges." in html
    # the rules the service checks show in the same round, not after the date is given
    assert "kontrollsiffra" in html
    assert "kräver ett registrerat samtycke" in html
    assert "ingen giltig kommunkod" in html
    assert Episode.objects.count() == 0
    # one message per field: the form's own message first
    assert html.count("Startdatum måste anges.") == 2  # summary + field


def test_a_valid_form_with_rule_errors_is_not_saved_by_the_dry_run(client, world):
    from finsam.audit.models import AuditLog
    from finsam.registry.models import Episode, Participant

    client.force_login(world["users"]["participant_handler"])
    n_audit = AuditLog.objects.count()
    # a bad date (form error) and everything else valid: the dry run must keep nothing
    client.post(
        enrol_url(world),
        {
            "identity_level": "identified",
            "personal_number": PNR_WOMAN,
            "consent_date": "2024-03-01",
            "home_municipality": "0183",
            "start_date": "2024-13-01",
            "support_before": ["FSS"],
        },
    )
    assert Episode.objects.count() == 0 and Participant.objects.count() == 0
    assert AuditLog.objects.count() == n_audit


def test_required_fields_are_marked(client, world):
    client.force_login(world["users"]["participant_handler"])
    html = client.get(enrol_url(world)).content.decode()
    assert "Fält markerade med * måste fyllas i." in html
    start = re.search(r'<input[^>]*name="start_date"[^>]*>', html).group(0)
    assert "required" in start
    pnr = re.search(r'<input[^>]*name="personal_number"[^>]*>', html).group(0)
    assert 'aria-required="true"' in pnr and " required" not in pnr


def test_registration_kind_fields_are_tagged_and_shown_without_javascript(client, world):
    client.force_login(world["users"]["participant_handler"])
    html = client.get(enrol_url(world)).content.decode()
    assert 'data-applies-control="identity_level"' in html
    assert html.count('data-applies="identified"') == 4
    assert html.count('data-applies="anonymous"') == 3
    assert " hidden" not in html.split("<form", 2)[2].split("</form>")[0]
    assert "(vid anonym registrering)" in html
    assert '<script src="/static/finsam/forms.js" defer></script>' in html
    assert "<script>" not in html and 'style="' not in html


def test_the_same_form_is_saved_once(client, world):
    from finsam.registry.models import Episode

    client.force_login(world["users"]["participant_handler"])
    html = client.get(enrol_url(world)).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    data = {
        "identity_level": "identified",
        "personal_number": PNR_WOMAN,
        "consent_date": "2024-03-01",
        "home_municipality": "0183",
        "start_date": "2024-03-01",
        "support_before": ["FSS"],
        "form_token": token,
    }
    first = client.post(enrol_url(world), data)
    second = client.post(enrol_url(world), data, follow=True)
    assert first.status_code == 302
    assert Episode.objects.count() == 1
    assert "redan skickat" in second.content.decode()
    assert second.redirect_chain[0][0] == first["Location"]
