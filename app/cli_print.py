"""CLI command ``print``: a visit's document straight to a printer queue, without the desktop.

    fieldmark print VISIT_ID [--kind feedback] [--printer QUEUE] [--copies 2] [--wait]

Exit 0 once the print service holds the job (or, with --wait, has printed it); exit 1 with the
reason when there is no printer, the queue refuses the job or the service ends it unprinted.
"""

from __future__ import annotations

import argparse
import sys
import time

from app.paths import resolve_data_dir
from app.profile import Profile

WAIT_LIMIT_S = 600.0
POLL_S = 0.5


def _copies(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 999:
        raise argparse.ArgumentTypeError("copies must be between 1 and 999")
    return value


def register(sub, add_data_dir, command) -> None:  # noqa: ANN001 - argparse internals
    p = command("print", cmd_print, "print a visit's document on a printer queue (CUPS), without the desktop")
    p.add_argument("visit_id", metavar="VISIT_ID")
    p.add_argument("--kind", choices=["feedback", "rectification", "full"], default="feedback")
    p.add_argument("--printer", metavar="QUEUE", help="the print queue (default: the system's default printer)")
    p.add_argument("--copies", type=_copies, default=1, metavar="N", help="copies to print (default 1)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="document language (default zh)")
    p.add_argument("--paper", choices=["a4", "letter"], help="paper size (default: the paper_size setting, A4)")
    p.add_argument("--wait", action="store_true", help="wait until the print service has printed the job")


def cmd_print(args: argparse.Namespace) -> int:
    from app.printing import (
        PAPER_MEDIA,
        NoPrinter,
        PrintOptions,
        PrintRefused,
        default_queue,
        describe,
        list_queues,
        locate_service,
        print_pdf,
    )
    from app.reports import prepare_report, render_report

    if sys.platform == "win32":
        raise NoPrinter("printing from the command line needs CUPS (Linux, macOS); on Windows print from the "
                        "desktop's preview, or save the PDF with `fieldmark report`")
    # The service is asked before the document is built: no point laying out pages for nobody.
    service = locate_service()
    queue = args.printer or default_queue(service)
    if not queue:
        names = [q.name for q in list_queues(service)]
        if not names:
            raise NoPrinter(f"the print service at {service} has no printer; save the document with "
                            f"`fieldmark report {args.visit_id} --out FILE.pdf` instead")
        raise NoPrinter(f"no default printer: choose one with --printer ({', '.join(names)})")
    with Profile.open(resolve_data_dir(args.data_dir), create=False) as profile:
        doc = prepare_report(profile, args.visit_id, kind=args.kind, lang=args.lang, paper=args.paper)
    built = render_report(doc)
    for warning in built.warnings:
        print(f"fieldmark: warning: {warning}", file=sys.stderr)
    options = PrintOptions(copies=args.copies, media=PAPER_MEDIA[doc.paper], title=f"{doc.title()} {args.visit_id[:8]}")
    job = print_pdf(built.pdf, queue, options, service)
    copies = f"{args.copies} copies of " if args.copies > 1 else ""
    print(f"job {job.label} accepted by {queue}: {copies}{built.pages} page(s) ({job.state})")
    for problem in job.problems:
        print(f"fieldmark: warning: {describe(problem, queue)}; the job waits until it is fixed", file=sys.stderr)
    if not args.wait:
        return 0
    from app.printing import job_status

    deadline = time.monotonic() + WAIT_LIMIT_S
    while not job.finished:
        if time.monotonic() > deadline:
            print(f"fieldmark: job {job.label} is still {job.state} after {WAIT_LIMIT_S:.0f} s", file=sys.stderr)
            return 1
        time.sleep(POLL_S)
        job = job_status(queue, job.job_id, service)
    if job.state != "completed":
        raise PrintRefused(f"the print service ended job {job.label} without printing it "
                           f"({job.message or job.state})", kind="failed", queue=queue, problems=job.problems)
    print(f"job {job.label} printed")
    return 0
