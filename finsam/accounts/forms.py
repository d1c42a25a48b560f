from django import forms
from django.utils.translation import gettext, gettext_lazy

from finsam.domain.access import ROLE_LABELS, ROLES_WITH_ASSOCIATION, Role
from finsam.ui.forms import FinsamForm


class UserForm(FinsamForm):
    username = forms.CharField(label=gettext_lazy("Användarnamn"), max_length=150)
    first_name = forms.CharField(label=gettext_lazy("Förnamn"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Efternamn"), max_length=150, required=False)
    email = forms.EmailField(label=gettext_lazy("E-post"), required=False)
    personal_number = forms.CharField(
        label=gettext_lazy("Personnummer (för e-legitimation)"),
        max_length=20,
        required=False,
        help_text=gettext_lazy(
            "Finsam sparar bara en pseudonym av numret (HMAC), aldrig numret självt."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    hsa_id = forms.CharField(
        label=gettext_lazy("HSA-id (för SITHS eID)"), max_length=64, required=False
    )
    password = forms.CharField(
        label=gettext_lazy("Lösenord"),
        required=False,
        strip=False,
        help_text=gettext_lazy("Lämna tomt för ett konto som bara loggar in med e-legitimation."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
    )
    role = forms.ChoiceField(label=gettext_lazy("Roll"), required=False)
    association = forms.ChoiceField(label=gettext_lazy("Förbund"), required=False)

    def __init__(self, *args, roles, associations, edit=False, **kwargs):
        super().__init__(*args, **kwargs)
        if edit:
            for name in ("username", "password", "role", "association"):
                del self.fields[name]
            self.fields["personal_number"].help_text = (
                "Lämna tomt för att behålla den koppling som finns. "
                + self.fields["personal_number"].help_text
            )
            self.fields["remove_personal_number"] = forms.BooleanField(
                label=gettext("Ta bort kopplingen till e-legitimation (personnummer)"),
                required=False,
            )
        else:
            self.fields["role"].choices = role_choices(roles)
            self.fields["association"].choices = association_choices(associations)


def role_choices(roles):
    return [("", "– ingen roll ännu –")] + [(r.value, ROLE_LABELS[r]) for r in roles]


def association_choices(associations):
    return [("", "– inget förbund –")] + [(str(a.pk), str(a)) for a in associations]


class RoleGrantForm(FinsamForm):
    role = forms.ChoiceField(label=gettext_lazy("Roll"))
    association = forms.ChoiceField(label=gettext_lazy("Förbund"), required=False)

    def __init__(self, *args, roles, associations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(roles)
        self.fields["association"].choices = association_choices(associations)


class AssignmentForm(FinsamForm):
    intervention = forms.ChoiceField(label=gettext_lazy("Insats"))
    kind = forms.ChoiceField(
        label=gettext_lazy("Uppdrag"),
        choices=[
            ("handler", gettext_lazy("Deltagaransvarig")),
            ("manager", gettext_lazy("Insatsansvarig")),
        ],
    )

    def __init__(self, *args, interventions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intervention"].choices = [
            (str(i.pk), f"{i.association} – {i.code} {i.name}") for i in interventions
        ]


class TokenForm(FinsamForm):
    token = forms.CharField(
        label=gettext_lazy("Kod"),
        max_length=16,
        help_text=gettext_lazy(
            "Sex siffror från autentiseringsappen, eller en av dina reservkoder."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PasswordConfirmForm(FinsamForm):
    password = forms.CharField(
        label=gettext_lazy("Lösenord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def needs_association(role: str) -> bool:
    return bool(role) and Role(role) in ROLES_WITH_ASSOCIATION
