"""Batch jobs that create many records with HTML content (follow-up emails and notes,
activities) pay Odoo's HTML sanitizer several times for each value: ``create`` sanitizes a
value once for its column and once more for the cache, and ``mail.mail`` creates its
message with the body a third time. The sanitizer is most of the cost of such a job.

``create_html_once`` creates the records without their HTML values, then stores each value
sanitized once, by the field's own conversion (so with the field's own options: the result
is what ``create`` would have stored), in one UPDATE per field."""

from odoo.tools import SQL, split_every

# A value embedding a base64 image goes through ``create``: ``mail.message`` turns such
# images into attachments there.
_IMAGE_MARK = "data:image/"


def _deferred_html_fields(model):
    return [
        name
        for name, field in model._fields.items()
        if field.type == "html"
        and field.store
        and field.column_type
        and not field.inherited
        and not field.translate
    ]


def create_html_once(model, values_list):
    """``model.create(values_list)`` with each stored HTML value sanitized once."""
    names = _deferred_html_fields(model)
    deferred = {name: [] for name in names}
    stripped = []
    for given in values_list:
        values = dict(given)
        for name in names:
            value = values.get(name)
            if isinstance(value, str) and value and _IMAGE_MARK not in value:
                deferred[name].append((len(stripped), values.pop(name)))
        stripped.append(values)
    records = model.create(stripped)
    for name, pending in deferred.items():
        if pending:
            store_html_once(records, name, {records[i].id: value for i, value in pending})
    return records


def store_html_once(records, name, values):
    """Store ``values`` ({record id: HTML}) in the HTML field ``name`` of ``records``,
    each sanitized once by the field's own conversion, in one UPDATE."""
    if not values:
        return
    model = records.browse()
    field = model._fields[name]
    if name not in _deferred_html_fields(model):
        raise ValueError(f"{model._name}.{name} is not a stored, untranslated HTML field")
    records = records.browse(list(values))
    records.flush_recordset([name])
    for chunk in split_every(1000, records):
        rows = SQL(", ").join(
            SQL("(%s, %s)", record.id, str(field.convert_to_column(values[record.id], record)))
            for record in chunk
        )
        model.env.cr.execute(
            SQL(
                "UPDATE %s AS t SET %s = v.value FROM (VALUES %s) AS v(id, value) "
                "WHERE t.id = v.id",
                SQL.identifier(model._table),
                SQL.identifier(name),
                rows,
            )
        )
    records.invalidate_recordset([name])
