"""A printer's or a job's trouble, from IPP's state reasons to a short code and to words.

IPP reports trouble as keywords such as ``media-empty-error`` or ``offline-report``; a user
needs "out of paper". The codes below are what the desktop translates; ``describe`` gives the
English sentence the command line prints.
"""

from __future__ import annotations

from dataclasses import dataclass

# In the order a user should read them: what stops printing first.
CODES = ("rejecting", "stopped", "offline", "connecting", "out_of_paper", "jam", "cover_open",
         "out_of_toner", "error")

_BY_KEYWORD = {
    "paused": "stopped",
    "stopped": "stopped",
    "offline": "offline",
    "shutdown": "offline",
    "timed-out": "offline",
    "connecting-to-device": "connecting",
    "media-empty": "out_of_paper",
    "media-needed": "out_of_paper",
    "media-jam": "jam",
    "door-open": "cover_open",
    "cover-open": "cover_open",
    "interlock-open": "cover_open",
    "toner-empty": "out_of_toner",
    "marker-supply-empty": "out_of_toner",
}

_WORDS = {
    "rejecting": "the queue {queue} is rejecting jobs",
    "stopped": "the queue {queue} is stopped",
    "offline": "the printer {queue} is offline",
    "connecting": "the print service is still trying to reach the printer {queue}",
    "out_of_paper": "the printer {queue} is out of paper",
    "jam": "paper is jammed in the printer {queue}",
    "cover_open": "a cover of the printer {queue} is open",
    "out_of_toner": "the printer {queue} is out of toner or ink",
    "error": "the printer {queue} reports an error ({reason})",
}

# Printer states (RFC 8011 printer-state).
PRINTER_STOPPED = 5


@dataclass(frozen=True)
class Problem:
    """One trouble: its code (one of CODES) and the IPP keyword it came from."""

    code: str
    reason: str = ""


def printer_problems(reasons: tuple[str, ...] | list[str], *, state: int | None = None,
                     accepting: bool = True) -> tuple[Problem, ...]:
    """The problems a printer's state, state reasons and accepting flag amount to, in CODES order.

    Warnings and reports that do not stop the printer ("toner low") are left out; an error
    Fieldmark has no words for is kept as ``error`` with its keyword.
    """
    found: dict[str, Problem] = {}
    if not accepting:
        found["rejecting"] = Problem("rejecting", "printer-is-accepting-jobs")
    if state == PRINTER_STOPPED:
        found.setdefault("stopped", Problem("stopped", "printer-state"))
    for reason in reasons:
        keyword = reason
        for suffix in ("-error", "-warning", "-report"):
            keyword = keyword.removesuffix(suffix)
        code = _BY_KEYWORD.get(keyword)
        if code is None and reason.endswith("-error") and not reason.startswith("cups-"):
            code = "error"
        if code is not None and code not in found:
            found[code] = Problem(code, reason)
    return tuple(sorted(found.values(), key=lambda p: CODES.index(p.code)))


def describe(problem: Problem, queue: str) -> str:
    """The problem in English words, for the command line."""
    return _WORDS[problem.code].format(queue=queue, reason=problem.reason)
