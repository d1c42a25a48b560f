"""Pages for the registered person's rights: extract (PDF/JSON), rectification and erasure.
Permission is checked by the services in ``finsam.registry.rights``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from finsam.audit.purposes import purpose_choices, reason_text
from finsam.domain.problems import DomainValidationError
from finsam.registry import rights
from finsam.registry.models import Participant


@require_http_methods(["GET", "POST"])
def participant_rights(request, pk):
    participant = get_object_or_404(Participant, pk=pk)
    if not rights.may_handle_rights(request.user, participant):
        raise PermissionDenied(rights.DENIED)
    problems: dict[str, str] = {}
    values = {}
    if request.method == "POST":
        values = request.POST
        what = request.POST.get("what", "")
        try:
            if what in ("pdf", "json"):
                data = rights.access_extract(
                    actor=request.user,
                    participant=participant,
                    reason=reason_text(
                        purpose="registrerad",
                        reason=request.POST.get("reason", "") or "registerutdrag",
                    ),
                )
                if what == "json":
                    response = HttpResponse(
                        rights.extract_json(data), content_type="application/json; charset=utf-8"
                    )
                else:
                    response = HttpResponse(
                        rights.extract_pdf(data), content_type="application/pdf"
                    )
                response["Content-Disposition"] = (
                    f'attachment; filename="registerutdrag-{participant.pk}.{what}"'
                )
                return response
            if what == "rectify":
                rights.rectify_identity(
                    actor=request.user,
                    participant=participant,
                    reason=request.POST.get("reason", ""),
                    personal_number=request.POST.get("personal_number", ""),
                    name=request.POST.get("name") if request.POST.get("change_name") else None,
                )
                messages.success(request, gettext("Identitetsuppgifterna är rättade."))
                return redirect(reverse("participant_rights", args=[pk]))
            if what == "erase":
                if not request.POST.get("confirm"):
                    problems["confirm"] = gettext("Bekräfta att identitetsuppgifterna ska raderas.")
                else:
                    rights.erase(
                        actor=request.user,
                        participant=participant,
                        reason=request.POST.get("reason", ""),
                    )
                    messages.success(
                        request,
                        gettext(
                            "Identitetsuppgifterna är raderade; inskrivningarna finns kvar anonymt."
                        ),
                    )
                    return redirect(reverse("participant_rights", args=[pk]))
        except PermissionDenied:
            raise
        except DomainValidationError as exc:
            problems = {p.field: p.message for p in exc.problems}
    episodes = rights._episodes_in_reach(request.user, participant)
    return render(
        request,
        "registry/participant_rights.html",
        {
            "participant": participant,
            "episodes": episodes,
            "problems": problems,
            "values": values,
            "what": values.get("what", "") if values else "",
            "purposes": purpose_choices(),
        },
    )
