"""The XLSX workbook of an internal audit: a summary, the sample and the findings.

Every text cell is written with ``write_string``: a value such as ``=HYPERLINK(...)`` typed
in a finding stays text and never becomes a formula.
"""

import datetime
import io

import xlsxwriter

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _labels(record, field):
    return dict(record._fields[field]._description_selection(record.env))


def audit_workbook(audit):
    """The workbook of ``audit`` as bytes, in the language of its environment."""
    env = audit.env
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = book.add_format({"bold": True})
    header = book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})

    def write(sheet, row, col, value, cell_format=None):
        if value is None or value is False:
            sheet.write_blank(row, col, None, cell_format)
        elif isinstance(value, datetime.date):
            if not isinstance(value, datetime.datetime):
                value = datetime.datetime.combine(value, datetime.time())
            sheet.write_datetime(row, col, value, date_format)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            sheet.write_number(row, col, value, cell_format)
        else:
            sheet.write_string(row, col, str(value), cell_format)

    def table(sheet, columns, rows):
        for col, (title, width) in enumerate(columns):
            sheet.set_column(col, col, width)
            sheet.write_string(0, col, title, header)
        for row, values in enumerate(rows, start=1):
            for col, value in enumerate(values):
                write(sheet, row, col, value)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)

    summary = book.add_worksheet(env._("Audit"))
    summary.set_column(0, 0, 28)
    summary.set_column(1, 1, 60)
    facts = [
        (env._("Audit"), audit.name),
        (env._("Company"), audit.company_id.name),
        (env._("Lead Auditor"), audit.user_id.name),
        (env._("Period From"), audit.date_from),
        (env._("Period To"), audit.date_to),
        (env._("Scope"), ", ".join(audit.scope_ids.mapped("name"))),
        (env._("Decisions in Period"), audit.candidate_count),
        (env._("Sample Size"), audit.sample_size),
        (env._("Seed"), audit.seed),
        (env._("Status"), _labels(audit, "state")[audit.state]),
        (env._("Conclusion"), audit.conclusion),
    ]
    for row, (label, value) in enumerate(facts):
        summary.write_string(row, 0, label, bold)
        write(summary, row, 1, value)

    conclusions = _labels(audit.sample_ids, "conclusion")
    table(
        book.add_worksheet(env._("Sample")),
        [
            (env._("Scope"), 24),
            (env._("Decision"), 36),
            (env._("Decision Date"), 14),
            (env._("Decided By"), 24),
            (env._("Took Part"), 36),
            (env._("Auditor"), 24),
            (env._("Conclusion"), 14),
            (env._("Note"), 48),
        ],
        [
            (
                sample.scope_id.name,
                sample.record_name,
                sample.decision_date,
                sample.decided_by_id.name,
                ", ".join(sample.participant_ids.mapped("name")),
                sample.reviewed_by_id.name or sample.auditor_id.name,
                conclusions.get(sample.conclusion),
                sample.note,
            )
            for sample in audit.sample_ids
        ],
    )

    severities = _labels(audit.finding_ids, "severity")
    states = _labels(audit.finding_ids, "state")
    table(
        book.add_worksheet(env._("Findings")),
        [
            (env._("Title"), 32),
            (env._("Severity"), 12),
            (env._("Decision"), 32),
            (env._("Description"), 48),
            (env._("Owner"), 24),
            (env._("Corrective Action"), 48),
            (env._("Due Date"), 14),
            (env._("Status"), 14),
        ],
        [
            (
                finding.name,
                severities[finding.severity],
                finding.record_name,
                finding.description,
                finding.owner_id.name,
                finding.corrective_action,
                finding.due_date,
                states[finding.state],
            )
            for finding in audit.finding_ids
        ],
    )
    book.close()
    return buffer.getvalue()
