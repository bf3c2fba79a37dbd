"""Payout statements: a numbered PDF (``fpdf2``) for every payout that reached the
solver's bank, with what was released, the solver-side fee and what was paid.

Statements have their own sequence (1, 2, 3, … without gaps), taken when the payout is
paid (:func:`~openchance.payments.payouts.apply_processor_payout`); the PDF is rendered
from the stored payout when asked for.
"""

from __future__ import annotations

from fpdf import FPDF

from openchance.models.payouts import Payout
from openchance.payments.receipts import latin_text, write_amount_rows


def render_statement(payout: Payout, challenge_title: str, bank_last4: str | None) -> bytes:
    """The statement as a one-page PDF."""
    assert payout.statement_number is not None
    assert payout.paid_at is not None
    pdf = FPDF(format="A4")
    pdf.set_title(f"OpenChance payout statement {payout.statement_number:06d}")
    pdf.set_author("OpenChance")
    pdf.set_creation_date(payout.paid_at)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.cell(0, 10, latin_text(f"Payout statement No. {payout.statement_number:06d}"),
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.set_font("helvetica", size=10)
    for label, value in (
        ("Paid", payout.paid_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("Challenge", challenge_title),
        ("Bank account", f"ending {bank_last4}" if bank_last4 else "on file"),
        ("Transfer", payout.transfer_id or ""),
        ("Payout", payout.processor_payout_id or str(payout.id)),
    ):
        pdf.cell(40, 6, latin_text(label))
        pdf.multi_cell(0, 6, latin_text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    write_amount_rows(
        pdf,
        [
            ("Released to you", payout.gross_minor),
            ("Platform fee", -payout.fee_minor),
            ("Paid to your bank", payout.amount_minor),
        ],
        payout.currency,
    )
    return bytes(pdf.output())
