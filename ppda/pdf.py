"""The one place PDFs are made. WeasyPrint runs with a fetcher that refuses everything but our own
static files and data: URLs (PITFALLS.md): user text that smuggles in file:///etc/passwd, a
<link rel="attachment">, or http://169.254.169.254/ fetches and embeds nothing.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Our own static files are addressed as ppda-static:/css/pack.css in templates.
STATIC_SCHEME = "ppda-static"


def _static_roots() -> list[Path]:
    roots = [Path(p).resolve() for p in getattr(settings, "STATICFILES_DIRS", [])]
    if getattr(settings, "STATIC_ROOT", None):
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


class SafeURLFetcher(URLFetcher):
    """Deny by default: only data: URLs and files under our static directories are ever read."""

    def __init__(self):
        # No protocols for urllib at all: even a bug in our checks could not open a socket or a file.
        super().__init__(allowed_protocols=("data",), allow_redirects=False, timeout=1)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == STATIC_SCHEME:
            return self._static(url)
        self.refused.append(url)
        logger.warning("PDF fetcher refused a %s: URL", scheme or "relative")
        raise ValueError("Fetching external resources is not allowed in PDFs.")

    def _static(self, url: str) -> URLFetcherResponse:
        relative = unquote(urlsplit(url).path).lstrip("/")
        for root in _static_roots():
            candidate = (root / relative).resolve()
            # resolve() follows symlinks and '..': the file must really live under the root.
            if candidate.is_relative_to(root) and candidate.is_file():
                content_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, candidate.read_bytes(), {"Content-Type": content_type})
        self.refused.append(url)
        raise ValueError("No such static file.")


def html_to_pdf(html: str, *, fetcher: SafeURLFetcher | None = None, **options) -> bytes:
    """Render trusted template output to PDF bytes with the safe fetcher and no base URL."""
    fetcher = fetcher or SafeURLFetcher()
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf(**options)


def render_pdf(template_name: str, context: dict, *, fetcher: SafeURLFetcher | None = None) -> bytes:
    """Render a Django template (autoescaped) to PDF."""
    return html_to_pdf(render_to_string(template_name, context), fetcher=fetcher)
