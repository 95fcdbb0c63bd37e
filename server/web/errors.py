"""What a page handler raises to answer with something other than its page: the login page,
or an error page in the layout (``server.web.error_pages`` renders them)."""

from __future__ import annotations


class PageError(Exception):
    """An error page: the status, and the catalogue key of the sentence that explains it."""

    def __init__(self, status: int, message_key: str, *, role: str | None = None) -> None:
        super().__init__(message_key)
        self.status = status
        self.message_key = message_key
        # Named in the sentence, translated when the page is drawn.
        self.role = role


class PageForbidden(PageError):
    def __init__(self, message_key: str = "error.403.text", *, role: str | None = None) -> None:
        super().__init__(403, message_key, role=role)


class PageNotFound(PageError):
    """Also the answer for something outside the viewer's scope: it must not leak existence."""

    def __init__(self) -> None:
        super().__init__(404, "error.404.text")


class LoginRequired(Exception):
    """No session, or one that ended: the browser is sent to ``location`` (the login page)."""

    def __init__(self, location: str, *, expired: bool = False) -> None:
        super().__init__(location)
        self.location = location
        # The session cookie named a token that no longer works: clear it.
        self.expired = expired
