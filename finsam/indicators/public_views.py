"""The questionnaire a respondent opens from a one-time link: no login, no identity stored.

The pages are plain Swedish, one statement per fieldset, and work on a phone. They send
``Referrer-Policy: no-referrer`` and ``Cache-Control: no-store`` so the link does not leak to
other sites or stay in a shared computer's cache.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from finsam.domain.problems import DomainValidationError
from finsam.indicators import forms, services
from finsam.indicators.selectors import definition_of

UNUSABLE_STATUS = {"unknown": 404, "used": 410, "closed": 410}


def _private(response):
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _unusable(request, reason: str):
    return _private(
        render(
            request,
            "indicators/public/unusable.html",
            {"reason": reason},
            status=UNUSABLE_STATUS[reason],
        )
    )


@require_http_methods(["GET", "POST"])
def survey(request, token: str):
    try:
        collection_round = services.token_round(token)
    except services.TokenUnusable as exc:
        return _unusable(request, exc.reason)
    questionnaire = definition_of(collection_round.questionnaire)
    form = forms.AnswersForm(
        request.POST if request.method == "POST" else None, questionnaire=questionnaire
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.response_submit(token=token, raw_answers=form.raw_answers())
        except services.TokenUnusable as exc:
            return _unusable(request, exc.reason)
        except DomainValidationError as exc:
            form.apply_problems(exc.problems)
        else:
            return redirect("survey_thanks")
    return _private(
        render(
            request,
            "indicators/public/survey.html",
            {
                "form": form,
                "questionnaire": questionnaire,
                "round": collection_round,
                "scale": questionnaire.scale,
            },
        )
    )


def thanks(request):
    return _private(render(request, "indicators/public/thanks.html"))
