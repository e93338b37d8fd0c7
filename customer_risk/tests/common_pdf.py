import io
import unicodedata

from PyPDF2 import PdfReader

from odoo.tools import mute_logger


def pdf_text(env, report_ref, res_ids):
    """Render the QWeb report ``report_ref`` of ``res_ids`` to a real PDF with wkhtmltopdf
    (Odoo renders HTML instead in test mode unless told otherwise) and return the text of
    every page as a reader finds it: NFKC-normalized (CJK fonts map some characters to
    their radical forms) and without whitespace, so words split across lines still match.

    Only text drawn with a system font can be read back: the Chinese text, which is what
    these tests prove. Needs the HTTP server of an ``HttpCase``, from which wkhtmltopdf
    loads the report's styles. Debian's wkhtmltopdf (unpatched Qt) warns that it ignores
    the header and footer options; that warning is expected here and muted."""
    report = env["ir.actions.report"].with_context(force_report_rendering=True)
    with mute_logger("odoo.addons.base.models.ir_actions_report"):
        pdf, kind = report._render_qweb_pdf(report_ref, res_ids)
    assert kind == "pdf" and pdf.startswith(b"%PDF-"), "not a PDF"
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    return "".join(unicodedata.normalize("NFKC", text).split())
