"""How fast is an encrypted PDF attachment, against ReportLab drawing the same document?

    python -m bench.attachments [--iterations 40] [--long-iterations 6] [--seed 0]

For a 5-line and a 200-line order, prints wall-clock ms/document, CPU ms/document
(`time.process_time`) and documents/second for the render (template + xhtml2pdf), the
encryption (pypdf AES-256 R6 and its proof), the whole `build_attachment`, and the same
document drawn directly with ReportLab platypus (same fonts and text, no encryption): the lower
bound the ratios are against. Beside them, that ReportLab document encrypted and proved the same
way: the encrypted floor, the least any encrypted build can cost (AES-256 R6 key derivation is
slow by design).

Method, so that two figures are comparable on a shared, noisy machine: one process; every
round runs each variant once, in a shuffled order; an untimed `gc.collect()` before every call;
medians; and every ratio is between medians of the same run. Run it a few times and compare
ratios, not milliseconds across runs.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import random
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The benchmark touches no database and no secret: a throwaway key lets it run anywhere.
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")

import django

django.setup()

from reportlab.lib import colors, rl_accel  # noqa: E402
from reportlab.lib.enums import TA_RIGHT  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import cm  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # noqa: E402

from attachments.api import build_attachment, generated_password  # noqa: E402
from attachments.fonts import register_fonts  # noqa: E402
from attachments.models import AttachmentTemplate  # noqa: E402
from attachments.rendering import encrypt_pdf, html_to_pdf, render_html  # noqa: E402
from demo.documents import CSS, HTML  # noqa: E402
from shop.documents import sample_order_context  # noqa: E402

BLUE = colors.HexColor("#1d4e89")
GREY = colors.HexColor("#6b7280")


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def reportlab_document(context: dict[str, Any]) -> bytes:
    """The demo confirmation drawn straight with platypus: the lower bound for the layout.

    Everything the demo receipt shows (demo/documents.py): masthead, customer and order facts
    with the payment row, the lines, totals with the VAT row, the note and the seller block;
    a bound that leaves any of it out flatters neither side."""
    register_fonts()
    base = ParagraphStyle("base", fontName="DejaVuSans", fontSize=9.5, leading=12.8)
    bold = ParagraphStyle("bold", parent=base, fontName="DejaVuSans-Bold")
    small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=11, textColor=GREY)
    right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
    brand = ParagraphStyle("brand", parent=bold, fontSize=20, leading=24, textColor=BLUE)
    title = ParagraphStyle("title", parent=base, fontSize=14, leading=18, alignment=TA_RIGHT)
    order, customer, currency = context["order"], context["customer"], context["order"]["currency"]
    seller = context["seller"]

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("DejaVuSans", 7.5)
        canvas.setFillColor(GREY)
        canvas.drawCentredString(
            A4[0] / 2,
            1.4 * cm,
            f"{context['shop']['name']} · Order {order['number']} · page {doc.page}",
        )
        canvas.drawCentredString(
            A4[0] / 2,
            1.0 * cm,
            "This document is encrypted with your personal document password. Keep it private.",
        )
        canvas.restoreState()

    tagline = ParagraphStyle("tagline", parent=small, fontSize=8.5, leading=11)
    label = ParagraphStyle("label", parent=small, fontSize=7.5, leading=10)
    address = "<br/>".join(
        part
        for part in [
            f"<b>{customer['full_name']}</b>",
            customer["address_line1"],
            customer["address_line2"],
            f"{customer['postal_code']} {customer['city']}",
            customer["country"],
            customer["email"],
            customer["phone"],
        ]
        if part
    )
    facts = Table(
        [
            [Paragraph("Order number", small), Paragraph(f"<b>{order['number']}</b>", right)],
            [Paragraph("Order date", small), Paragraph(f"{order['date']:%d %b %Y, %H:%M}", right)],
            [Paragraph("Status", small), Paragraph(order["status"], right)],
            [Paragraph("Payment", small), Paragraph(order["payment_method"], right)],
            [Paragraph("Items", small), Paragraph(str(order["unit_count"]), right)],
        ],
        style=[("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f1f5f9"))],
    )
    rows: list[list[Any]] = [["Item", "Qty", "Unit price", "Amount"]]
    for line in context["lines"]:
        options = "".join(f"<br/>{o['name']}: {o['value']}" for o in line["options"])
        rows.append(
            [
                Paragraph(
                    f"<b>{line['product']}</b><font size=8.5 color='#4b5563'>{options}</font>", base
                ),
                Paragraph(str(line["quantity"]), right),
                Paragraph(money(line["unit_price"]), right),
                Paragraph(money(line["line_total"]), right),
            ]
        )
    lines = Table(rows, colWidths=["58%", "10%", "16%", "16%"], repeatRows=1)
    lines.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), BLUE),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("FONTNAME", (0, 0), (-1, 0), "DejaVuSans-Bold"),
                ("ALIGN", (1, 0), (-1, 0), "RIGHT"),
                ("LINEBELOW", (0, 1), (-1, -1), 0.5, colors.HexColor("#d6dde6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    totals = Table(
        [
            ["", "Subtotal", Paragraph(f"{money(order['subtotal'])} {currency}", right)],
            ["", "Shipping", Paragraph("Free", right)],
            [
                "",
                Paragraph("<b>Total paid</b>", bold),
                Paragraph(f"<b>{money(order['total'])} {currency}</b>", right),
            ],
            [
                "",
                Paragraph(f"of which VAT {order['vat_rate']:g}%", small),
                Paragraph(f"{money(order['vat'])} {currency}", right),
            ],
        ],
        colWidths=["55%", "20%", "25%"],
        style=[
            ("LINEABOVE", (1, 2), (-1, 2), 1, BLUE),
            ("FONTNAME", (0, 0), (-1, -1), "DejaVuSans"),
        ],
    )
    story = [
        Table(
            [
                [
                    # The same text as the HTML template: brand, tagline and title.
                    [
                        Paragraph(context["shop"]["name"], brand),
                        Paragraph("Handmade in the North", tagline),
                    ],
                    Paragraph("Order confirmation and receipt", title),
                ]
            ],
            style=[("LINEBELOW", (0, 0), (-1, 0), 2, BLUE)],
        ),
        Spacer(1, 14),
        Table(
            [[[Paragraph("CUSTOMER", label), Paragraph(address, base)], facts]],
            colWidths=["55%", "45%"],
            style=[("VALIGN", (0, 0), (-1, -1), "TOP")],
        ),
        Spacer(1, 10),
        Paragraph(
            f"Thank you for your order, {customer['first_name']}. Here is what you bought, "
            "with every option you chose.",
            base,
        ),
        Spacer(1, 8),
        lines,
        Spacer(1, 6),
        totals,
        Spacer(1, 14),
        Paragraph(
            "Questions about your order? Reply to the confirmation email and quote your order "
            f"number <b>{order['number']}</b>. You have 30 days to change your mind.",
            small,
        ),
        Spacer(1, 10),
        Paragraph(
            f"<b>Seller:</b> {seller['legal_name']} · {seller['address']}<br/>"
            f"Org. no. {seller['org_number']} · VAT no. {seller['vat_number']}",
            small,
        ),
    ]
    output = io.BytesIO()
    doc = SimpleDocTemplate(
        output,
        pagesize=A4,
        leftMargin=1.8 * cm,
        rightMargin=1.8 * cm,
        topMargin=1.6 * cm,
        bottomMargin=2.4 * cm,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return output.getvalue()


Variant = tuple[str, Callable[[], object]]


def interleaved(variants: list[Variant], rounds: int, warmup: int = 2, seed: int = 0):
    """Per variant, the wall-clock and CPU seconds of each call.

    Every round runs each variant once, in a freshly shuffled order, so a change in the
    machine's load (other processes on a shared machine) weighs on all variants alike, and no
    variant always runs right after the same one. Before each call, an untimed
    `gc.collect()`: a collection of the previous call's garbage is not billed to the next.
    `warmup` untimed rounds first (the first documents in a process import and parse fonts).
    """
    shuffler = random.Random(seed)
    for _ in range(warmup):
        for _label, function in variants:
            function()
    wall: dict[str, list[float]] = {label: [] for label, _ in variants}
    cpu: dict[str, list[float]] = {label: [] for label, _ in variants}
    order = list(variants)
    for _ in range(rounds):
        shuffler.shuffle(order)
        for label, function in order:
            gc.collect()
            started_cpu, started = time.process_time(), time.perf_counter()
            function()
            elapsed = time.perf_counter() - started
            cpu[label].append(time.process_time() - started_cpu)
            wall[label].append(elapsed)
    return wall, cpu


BOUND = "ReportLab platypus (bound)"
FLOOR = "ReportLab + encrypt (floor)"
WHOLE = "whole build_attachment"


def run(line_count: int, rounds: int, seed: int) -> dict[str, float]:
    """Measure one order size; print and return each variant's wall-clock ratio to the bound."""
    template = AttachmentTemplate(name="Order confirmation", html=HTML, css=CSS)
    context = sample_order_context(line_count)
    password = generated_password("bench-order-token")
    pdf = html_to_pdf(render_html(template, context))

    variants: list[Variant] = [
        (BOUND, lambda: reportlab_document(context)),
        ("render (template+xhtml2pdf)", lambda: html_to_pdf(render_html(template, context))),
        ("encrypt (AES-256 R6+proof)", lambda: encrypt_pdf(pdf, password)),
        (WHOLE, lambda: build_attachment(template, context, password)),
        # For reading the ratio, not instead of it: the same ReportLab document with the same
        # mandated AES-256 R6 encryption and proof, i.e. the least any encrypted build costs.
        (FLOOR, lambda: encrypt_pdf(reportlab_document(context), password)),
    ]
    wall, cpu = interleaved(variants, rounds, seed=seed)
    medians = {label: statistics.median(times) for label, times in wall.items()}
    cpu_medians = {label: statistics.median(times) for label, times in cpu.items()}
    bound, cpu_bound = medians[BOUND], cpu_medians[BOUND]

    print(
        f"{line_count}-line order: {rounds} rounds, variants interleaved in shuffled order, "
        f"medians (PDF {len(pdf) // 1024} KB)"
    )
    print(f"  {'':<28} {'wall ms':>8} {'CPU ms':>8} {'docs/s':>7}  {'wall ×':>6} {'CPU ×':>6}")
    for label, _function in variants:
        seconds, cpu_seconds = medians[label], cpu_medians[label]
        print(
            f"  {label:<28} {seconds * 1000:8.1f} {cpu_seconds * 1000:8.1f} {1 / seconds:7.1f}"
            f"  {seconds / bound:6.2f} {cpu_seconds / cpu_bound:6.2f}"
        )
    print(
        f"  whole / bound {medians[WHOLE] / bound:5.2f}× wall, "
        f"{cpu_medians[WHOLE] / cpu_bound:5.2f}× CPU; "
        f"whole / encrypted floor {medians[WHOLE] / medians[FLOOR]:5.2f}× wall "
        "(ratios from this run's medians)"
    )
    return {label: medians[label] / bound for label in medians}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=40, help="rounds for the 5-line order")
    parser.add_argument(
        "--long-iterations", type=int, default=6, help="rounds for the 200-line order"
    )
    parser.add_argument("--seed", type=int, default=0, help="for the shuffled order")
    args = parser.parse_args()
    # ReportLab imports the C speedups of the `rl-accel` package when it is installed.
    accel = "rl-accel: on" if rl_accel._c_funcs else "rl-accel: not installed"
    print(f"Sealpost attachment benchmark — one process, {accel}")
    run(5, args.iterations, args.seed)
    run(200, args.long_iterations, args.seed)


if __name__ == "__main__":
    main()
