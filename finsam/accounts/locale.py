from django.conf import settings
from django.utils import translation


class SwedishFirstLocaleMiddleware:
    """Swedish unless the user has chosen another language with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; Finsam is Swedish first,
    so only the language cookie (set by ``/i18n/setlang/``) changes it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
