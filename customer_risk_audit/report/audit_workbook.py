"""The XLSX workbook of an internal audit: a summary, the sample and the findings, written
with the suite's workbook helper (text typed in a finding stays text, never a formula)."""

from odoo.addons.customer_risk.tools.xlsx import Column, XlsxReport


def _labels(record, field):
    return dict(record._fields[field]._description_selection(record.env))


def audit_workbook(audit):
    """The workbook of ``audit`` as bytes, in the language of its environment."""
    env = audit.env
    book = XlsxReport(audit.company_id.currency_id)
    book.add_facts(
        env._("Audit"),
        [
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
            (env._("Conclusion"), audit.conclusion or None),
        ],
    )
    conclusions = _labels(audit.sample_ids, "conclusion")
    book.add_sheet(
        env._("Sample"),
        [
            Column(env._("Scope"), width=24),
            Column(env._("Decision"), width=36),
            Column(env._("Decision Date"), "date", width=14),
            Column(env._("Decided By"), width=24),
            Column(env._("Took Part"), width=36),
            Column(env._("Auditor"), width=24),
            Column(env._("Conclusion"), width=14),
            Column(env._("Note"), width=48),
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
    book.add_sheet(
        env._("Findings"),
        [
            Column(env._("Title"), width=32),
            Column(env._("Severity"), width=12),
            Column(env._("Decision"), width=32),
            Column(env._("Description"), width=48),
            Column(env._("Owner"), width=24),
            Column(env._("Corrective Action"), width=48),
            Column(env._("Due Date"), "date", width=14),
            Column(env._("Status"), width=14),
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
    return book.to_bytes()
