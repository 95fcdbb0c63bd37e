"""Printing on the system's print service, and the ways out when nothing can print.

Core code, no Qt. Where the print service takes PDF (CUPS on Linux and macOS), the report's
PDF goes to the queue as it is, over IPP: ``print_pdf`` returns the job the service made of
it, ``job_status`` follows it, and a refusal raises ``PrintRefused`` with the reason. Where it
cannot (Windows) the desktop prints through Qt instead (ui.printing.qt_pages).

    job = print_pdf(pdf, default_queue() or "Office", PrintOptions(copies=2))
    job_status(job.queue, job.job_id).state     # "pending", "processing", "completed"

When no printer is there, ``removable_drives`` and ``copy_to_drive`` put the PDF on a stick.
"""

from __future__ import annotations

from app.printing.cups import (
    JobStatus,
    NoPrinter,
    PrintOptions,
    PrintRefused,
    Queue,
    default_queue,
    job_status,
    list_queues,
    print_pdf,
    queue_problems,
)
from app.printing.drives import Drive, copy_to_drive, removable_drives
from app.printing.media import PAPER_MEDIA, media_for_points, media_name
from app.printing.problems import Problem, describe, printer_problems
from app.printing.service import PrintServiceError, ServiceAddress, locate_service

__all__ = [
    "PAPER_MEDIA", "Drive", "JobStatus", "NoPrinter", "PrintOptions", "PrintRefused", "PrintServiceError", "Problem",
    "Queue", "ServiceAddress", "copy_to_drive", "default_queue", "describe", "job_status", "list_queues",
    "locate_service", "media_for_points", "media_name", "print_pdf", "printer_problems", "queue_problems",
    "removable_drives",
]
