"""What the print service said, in the user's language: job states, printer troubles, refusals.

The core gives codes (``JobStatus.state``, ``Problem.code``, ``PrintRefused.kind``); these are
the sentences the preview shows for them. A refusal always ends by saying that nothing was
printed and what to do instead.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.printing import JobStatus, NoPrinter, PrintRefused, PrintServiceError, Problem


def join(*sentences: str) -> str:
    """Sentences one after the other: a space after an English full stop, none after a Chinese one."""
    out = ""
    for sentence in filter(None, sentences):
        out += sentence if not out or out.endswith(("。", "！", "？", "）", "：")) else " " + sentence
    return out


def problem_text(problem: Problem, queue: str) -> str:
    words = {
        "rejecting": QCoreApplication.translate("PrintWords", "The queue {queue} is rejecting jobs."),
        "stopped": QCoreApplication.translate("PrintWords", "The queue {queue} is stopped."),
        "offline": QCoreApplication.translate("PrintWords", "The printer {queue} is offline."),
        "connecting": QCoreApplication.translate("PrintWords", "The print service is still trying to reach the printer {queue}."),
        "out_of_paper": QCoreApplication.translate("PrintWords", "The printer {queue} is out of paper."),
        "jam": QCoreApplication.translate("PrintWords", "Paper is jammed in the printer {queue}."),
        "cover_open": QCoreApplication.translate("PrintWords", "A cover of the printer {queue} is open."),
        "out_of_toner": QCoreApplication.translate("PrintWords", "The printer {queue} is out of toner or ink."),
        "error": QCoreApplication.translate("PrintWords", "The printer {queue} reports an error ({reason})."),
    }
    return words.get(problem.code, words["error"]).format(queue=queue, reason=problem.reason)


def problems_text(problems: tuple[Problem, ...], queue: str) -> str:
    return join(*(problem_text(p, queue) for p in problems))


def job_text(job: JobStatus) -> str:
    """One sentence for the job's state, then what holds it up."""
    words = {
        "pending": QCoreApplication.translate("PrintWords", "Job {job} is with the print service, waiting its turn on {queue}."),
        "held": QCoreApplication.translate("PrintWords", "Job {job} is held on {queue}: release it in the system's print queue."),
        "processing": QCoreApplication.translate("PrintWords", "Job {job} is printing on {queue}."),
        "stopped": QCoreApplication.translate("PrintWords", "Job {job} has stopped on {queue}."),
        "completed": QCoreApplication.translate("PrintWords", "Job {job} is done: the print service has sent every page to {queue}."),
        "canceled": QCoreApplication.translate("PrintWords", "Job {job} was cancelled; nothing more of it will print."),
        "aborted": QCoreApplication.translate("PrintWords", "The print service gave up on job {job}: {reason}"),
    }
    text = words.get(job.state, words["pending"]).format(job=job.label, queue=job.queue,
                                                        reason=job.message or ", ".join(job.reasons))
    if job.problems and not job.finished:
        text = join(text, problems_text(job.problems, job.queue),
                    QCoreApplication.translate("PrintWords", "It prints once that is put right."))
    if job.state in ("canceled", "aborted"):
        text = join(text, instead_text())
    return text


def instead_text() -> str:
    return QCoreApplication.translate("PrintWords", "Nothing was printed. Save the PDF or copy it to a USB drive instead.")


def refusal_text(exc: BaseException) -> str:
    """Why nothing will print, and what to do instead."""
    if isinstance(exc, PrintRefused):
        queue = exc.queue
        if exc.kind == "rejecting":
            text = QCoreApplication.translate("PrintWords", "{queue} refused the job: the queue is rejecting jobs.").format(queue=queue)
            others = tuple(p for p in exc.printer_problems if p.code != "rejecting")
            if others:
                text = join(text, problems_text(others, queue))
        elif exc.kind == "no_such_queue":
            text = QCoreApplication.translate("PrintWords", "The print service has no printer named {queue}.").format(queue=queue)
        elif exc.kind == "not_allowed":
            text = QCoreApplication.translate("PrintWords", "The print service does not let you print to {queue}.").format(queue=queue)
        elif exc.kind == "format":
            text = QCoreApplication.translate("PrintWords", "The printer {queue} cannot take PDF documents.").format(queue=queue)
        elif exc.kind == "failed":
            text = QCoreApplication.translate("PrintWords", "The print service ended the job without printing it: {error}").format(error=exc)
        else:
            text = QCoreApplication.translate("PrintWords", "{queue} refused the job: {error}").format(queue=queue, error=exc)
    elif isinstance(exc, PrintServiceError):
        if exc.kind == "unreachable":
            text = QCoreApplication.translate("PrintWords", "The print service does not answer: no printer can be used from this computer now.")
        else:
            text = QCoreApplication.translate("PrintWords", "The print service gave an answer Fieldmark cannot use: {error}").format(error=exc)
    elif isinstance(exc, NoPrinter):
        text = no_printer_text()
        return text
    else:
        text = QCoreApplication.translate("PrintWords", "Printing failed: {error}").format(error=exc)
    return join(text, instead_text())


def no_printer_text() -> str:
    return QCoreApplication.translate("PrintWords", "No printer is set up on this computer. Save the PDF or copy it to a USB drive instead.")
