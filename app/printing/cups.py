"""Printing a PDF through CUPS: the queues, the default one, a job sent and followed.

CUPS takes PDF as it is and runs it through its own filters, so the printer receives the
document's vector pages and fonts at their true size (``print-scaling=none``). Everything goes
over IPP to the local print service, with no library to build:

    service = locate_service()
    job = print_pdf(pdf_bytes, "Office_Laser", PrintOptions(copies=2, media="iso_a4_210x297mm"))
    job.job_id, job.state          # 12, "pending": the print service has the job
    job = job_status(job.queue, job.job_id)   # later: "processing", "completed"…

A refused job raises ``PrintRefused`` with the reason in ``kind`` and ``problems``; a job that
does not exist is never reported as sent.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import FieldmarkError
from app.printing import ipp
from app.printing.problems import Problem, describe, printer_problems
from app.printing.service import ServiceAddress, locate_service

SIDES = ("one-sided", "two-sided-long-edge", "two-sided-short-edge")
# RFC 8011 job-state values.
JOB_STATES = {3: "pending", 4: "held", 5: "processing", 6: "stopped", 7: "canceled", 8: "aborted",
              9: "completed"}
# The job exists at the print service and will print (or has): what "accepted" means here.
ACCEPTED_STATES = ("pending", "held", "processing", "stopped", "completed")
FAILED_STATES = ("canceled", "aborted")

_PRINTER_ATTRIBUTES = ("printer-name", "printer-info", "printer-location", "printer-state",
                       "printer-state-reasons", "printer-is-accepting-jobs", "printer-make-and-model",
                       "sides-supported")
_JOB_ATTRIBUTES = ("job-id", "job-state", "job-state-reasons", "job-state-message")


class NoPrinter(FieldmarkError):
    """No queue was named and the print service has no default, or no queue at all."""


class PrintRefused(FieldmarkError):
    """The print service refused the job, or ended it without printing; nothing will print.

    ``kind``: ``rejecting`` (the queue takes no jobs), ``no_such_queue``, ``not_allowed``,
    ``format`` (the queue cannot take PDF), ``failed`` (the job was accepted, then aborted or
    cancelled) or ``refused`` (any other refusal, said in ``str(exc)``).
    """

    def __init__(self, message: str, *, kind: str, queue: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.kind = kind
        self.queue = queue
        self.printer_problems = problems
        # The command line prints these under the message.
        self.problems = [describe(p, queue) for p in problems]


@dataclass(frozen=True)
class PrintOptions:
    """What the print dialog chose. ``pages`` are 1-based inclusive ranges (empty: all);
    ``media`` is a PWG size name such as ``iso_a4_210x297mm`` (None: the queue's default);
    ``sides`` one of SIDES (None: the queue's default)."""

    copies: int = 1
    pages: tuple[tuple[int, int], ...] = ()
    sides: str | None = None
    media: str | None = None
    collate: bool = True
    # "none" prints at 100%; "fit" only when the paper differs from the document's.
    scaling: str = "none"
    title: str = "Fieldmark"


@dataclass(frozen=True)
class Queue:
    name: str
    info: str = ""
    location: str = ""
    accepting: bool = True
    problems: tuple[Problem, ...] = ()
    is_default: bool = False
    # What the queue says it can print on; empty when it does not say.
    sides: tuple[str, ...] = ()


@dataclass(frozen=True)
class JobStatus:
    """A job the print service holds: its id, state (one of JOB_STATES' words) and troubles."""

    queue: str
    job_id: int
    state: str
    reasons: tuple[str, ...] = ()
    message: str = ""
    problems: tuple[Problem, ...] = field(default=())

    @property
    def accepted(self) -> bool:
        return self.state in ACCEPTED_STATES

    @property
    def finished(self) -> bool:
        return self.state in ("completed", *FAILED_STATES)

    @property
    def label(self) -> str:
        """The job's name as ``lp`` prints it: queue-id."""
        return f"{self.queue}-{self.job_id}"


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in this environment (a container, a service)
        return "fieldmark"


def _request(operation: int, service: ServiceAddress, printer_uri: str | None = None) -> ipp.Request:
    request = ipp.Request(operation)
    request.operation(ipp.CHARSET, "attributes-charset", "utf-8")
    request.operation(ipp.LANGUAGE, "attributes-natural-language", "en")
    if printer_uri:
        request.operation(ipp.URI, "printer-uri", printer_uri)
    request.operation(ipp.NAME, "requesting-user-name", _user())
    return request


def _one(attrs: dict[str, list[ipp.Value]], name: str, default: ipp.Value = None) -> ipp.Value:
    values = attrs.get(name)
    return values[0] if values else default


def _strings(attrs: dict[str, list[ipp.Value]], name: str) -> tuple[str, ...]:
    return tuple(str(v) for v in attrs.get(name, []) if isinstance(v, str) and v != "none")


def _queue_of(attrs: dict[str, list[ipp.Value]], default: str | None) -> Queue:
    name = str(_one(attrs, "printer-name", ""))
    accepting = _one(attrs, "printer-is-accepting-jobs", True) is not False
    state = _one(attrs, "printer-state")
    problems = printer_problems(_strings(attrs, "printer-state-reasons"),
                                state=state if isinstance(state, int) else None, accepting=accepting)
    return Queue(name, str(_one(attrs, "printer-info", "") or ""), str(_one(attrs, "printer-location", "") or ""),
                 accepting, problems, name == default, _strings(attrs, "sides-supported"))


def list_queues(service: ServiceAddress | None = None) -> list[Queue]:
    """Every queue of the print service, the default one marked. Raises PrintServiceError
    when there is no print service to ask."""
    service = service or locate_service()
    default = default_queue(service)
    request = _request(ipp.CUPS_GET_PRINTERS, service)
    request.operation(ipp.KEYWORD, "requested-attributes", *_PRINTER_ATTRIBUTES)
    response = service.exchange(request)
    if not response.ok:
        return []  # CUPS answers "not found" when it has no queue at all
    queues = [_queue_of(attrs, default) for attrs in response.every(ipp.PRINTER_GROUP)]
    return sorted((q for q in queues if q.name), key=lambda q: (not q.is_default, q.name.lower()))


def default_queue(service: ServiceAddress | None = None, environ: dict[str, str] | None = None,
                  home: Path | None = None) -> str | None:
    """The queue ``lp`` would use: $LPDEST, $PRINTER, the user's lpoptions, else the service's."""
    env = os.environ if environ is None else environ
    for variable in ("LPDEST", "PRINTER"):
        if env.get(variable, "").strip():
            return env[variable].strip()
    lpoptions = (home if home is not None else Path.home()) / ".cups" / "lpoptions"
    try:
        for line in lpoptions.read_text(encoding="utf-8", errors="replace").splitlines():
            words = line.split()
            if len(words) >= 2 and words[0].lower() == "default":
                return words[1].split("/", 1)[0]  # "Default Queue/instance"
    except OSError:
        pass
    service = service or locate_service()
    request = _request(ipp.CUPS_GET_DEFAULT, service)
    request.operation(ipp.KEYWORD, "requested-attributes", "printer-name")
    response = service.exchange(request)
    if not response.ok:
        return None
    name = _one(response.first(ipp.PRINTER_GROUP), "printer-name")
    return str(name) if name else None


def queue_problems(queue: str, service: ServiceAddress | None = None) -> tuple[Problem, ...]:
    """What stops or troubles the queue now (stopped, rejecting, offline, out of paper…)."""
    service = service or locate_service()
    request = _request(ipp.GET_PRINTER_ATTRIBUTES, service, service.printer_uri(queue))
    request.operation(ipp.KEYWORD, "requested-attributes", *_PRINTER_ATTRIBUTES)
    response = service.exchange(request, path=f"/printers/{queue}")
    if not response.ok:
        return ()
    return _queue_of(response.first(ipp.PRINTER_GROUP), None).problems


def print_pdf(pdf: bytes, queue: str, options: PrintOptions = PrintOptions(),
              service: ServiceAddress | None = None) -> JobStatus:
    """Send ``pdf`` to ``queue`` and return the job the print service made of it.

    Raises PrintRefused when no job was made (or it was ended at once), PrintServiceError when
    there is no print service to ask.
    """
    service = service or locate_service()
    request = _request(ipp.PRINT_JOB, service, service.printer_uri(queue))
    request.operation(ipp.NAME, "job-name", options.title[:255] or "Fieldmark")
    request.operation(ipp.MIME_TYPE, "document-format", "application/pdf")
    _add_job_options(request, options)
    response = service.exchange(request, pdf, path=f"/printers/{queue}")
    if not response.ok:
        raise _refusal(response, queue, service)
    attrs = response.first(ipp.JOB_GROUP)
    job_id = _one(attrs, "job-id")
    if not isinstance(job_id, int):
        raise PrintRefused(f"the print service took the document for {queue} but named no job", kind="refused",
                           queue=queue)
    state = _one(attrs, "job-state")
    job = JobStatus(queue, job_id, JOB_STATES.get(state if isinstance(state, int) else 0, "pending"),
                    _strings(attrs, "job-state-reasons"), str(_one(attrs, "job-state-message", "") or ""),
                    queue_problems(queue, service))
    if job.state in FAILED_STATES:
        raise _failed(job)
    return job


def job_status(queue: str, job_id: int, service: ServiceAddress | None = None) -> JobStatus:
    """The job's state now, with the printer's troubles that hold it up."""
    service = service or locate_service()
    request = _request(ipp.GET_JOB_ATTRIBUTES, service, service.printer_uri(queue))
    request.operation(ipp.INTEGER, "job-id", job_id)
    request.operation(ipp.KEYWORD, "requested-attributes", *_JOB_ATTRIBUTES)
    response = service.exchange(request)
    if not response.ok:
        raise PrintRefused(f"the print service no longer knows job {queue}-{job_id}: {response.message}",
                           kind="failed", queue=queue)
    attrs = response.first(ipp.JOB_GROUP)
    state = _one(attrs, "job-state")
    return JobStatus(queue, job_id, JOB_STATES.get(state if isinstance(state, int) else 0, "pending"),
                     _strings(attrs, "job-state-reasons"), str(_one(attrs, "job-state-message", "") or ""),
                     () if state == 9 else queue_problems(queue, service))


def _add_job_options(request: ipp.Request, options: PrintOptions) -> None:
    if options.copies < 1:
        raise ValueError("copies must be at least 1")
    if options.copies > 1:
        request.job(ipp.INTEGER, "copies", options.copies)
        handling = ("separate-documents-collated-copies" if options.collate
                    else "separate-documents-uncollated-copies")
        request.job(ipp.KEYWORD, "multiple-document-handling", handling)
    if options.pages:
        request.job(ipp.RANGE, "page-ranges", *merge_ranges(options.pages))
    if options.sides is not None:
        if options.sides not in SIDES:
            raise ValueError(f"sides must be one of {', '.join(SIDES)}")
        request.job(ipp.KEYWORD, "sides", options.sides)
    if options.media:
        request.job(ipp.KEYWORD, "media", options.media)
    request.job(ipp.KEYWORD, "print-scaling", options.scaling)


def merge_ranges(ranges: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> list[tuple[int, int]]:
    """IPP wants page ranges ascending and apart: (3, 4), (1, 2), (4, 6) → (1, 6)."""
    merged: list[tuple[int, int]] = []
    for low, high in sorted((min(a, b), max(a, b)) for a, b in ranges):
        if low < 1:
            raise ValueError("pages are numbered from 1")
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _refusal(response: ipp.Response, queue: str, service: ServiceAddress) -> PrintRefused:
    said = response.message
    status = response.status
    if status == 0x0506:  # server-error-not-accepting-jobs
        problems = _safe_problems(queue, service) or (Problem("rejecting", "printer-is-accepting-jobs"),)
        return PrintRefused(f"{describe(problems[0], queue)}: the print service refused the job ({said})",
                            kind="rejecting", queue=queue, problems=problems)
    if status == 0x0406:  # client-error-not-found
        return PrintRefused(f"the print service has no queue named {queue}", kind="no_such_queue", queue=queue)
    if status in (0x0401, 0x0402, 0x0403):  # forbidden, not authenticated, not authorized
        return PrintRefused(f"the print service does not let this user print to {queue} ({said})",
                            kind="not_allowed", queue=queue)
    if status == 0x040A:  # client-error-document-format-not-supported
        return PrintRefused(f"the queue {queue} cannot take PDF documents ({said})", kind="format", queue=queue)
    return PrintRefused(f"the print service refused the job for {queue}: {said or hex(status)}", kind="refused",
                        queue=queue, problems=_safe_problems(queue, service))


def _safe_problems(queue: str, service: ServiceAddress) -> tuple[Problem, ...]:
    # The refusal is the news; its detail is a bonus that must not hide it.
    from app.printing.service import PrintServiceError

    try:
        return queue_problems(queue, service)
    except PrintServiceError:
        return ()


def _failed(job: JobStatus) -> PrintRefused:
    detail = job.message or ", ".join(job.reasons) or job.state
    return PrintRefused(f"the print service ended job {job.label} without printing it ({detail})", kind="failed",
                        queue=job.queue, problems=job.problems)
