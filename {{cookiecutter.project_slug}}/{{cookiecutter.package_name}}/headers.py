"""What every response says to the browser for its safety, and what it does not say.

The policy lets the page load only its own scripts, styles and images, talk
only to its own server (the websocket included), and never be framed by
another site; the server does not announce its software or version.
"""

from typing import Final

from tornado.web import HTTPError, RequestHandler, StaticFileHandler

CONTENT_SECURITY_POLICY: Final = '; '.join(
    [
        "default-src 'self'",
        "connect-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS: Final = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
}


class SecureHeaders(RequestHandler):
    """a base of every handler: the security headers, and no Server header"""

    def set_default_headers(self) -> None:
        """on every response, errors included"""
        self.clear_header('Server')
        for name, value in SECURITY_HEADERS.items():
            self.set_header(name, value)


class StaticFiles(SecureHeaders, StaticFileHandler):
    """the built client; a path that no file can have is simply not found"""

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        """refuse a NUL byte (``/index.html%00.py``) with 404, as any missing file"""
        if '\0' in absolute_path:
            raise HTTPError(404)
        return super().validate_absolute_path(root, absolute_path)
