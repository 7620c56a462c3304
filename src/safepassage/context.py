"""Template context shared by every page."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language


def language_links(request: HttpRequest) -> dict[str, Any]:
    """Links to this same page in the other languages: no JavaScript, no cookie."""
    current = get_language()
    return {
        "language_links": [
            (code, name, translate_url(request.path, code))
            for code, name in settings.LANGUAGES
            if code != current
        ]
    }
