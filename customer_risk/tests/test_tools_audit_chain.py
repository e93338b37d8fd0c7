import hashlib

from odoo.tests import BaseCase

from odoo.addons.customer_risk.tools import audit_chain


def _chain(count, company_id=1):
    """``count`` well-chained entries of one company."""
    entries, previous = [], audit_chain.GENESIS
    for sequence in range(1, count + 1):
        entry = {
            "company_id": company_id,
            "sequence": sequence,
            "logged_at": f"2025-06-0{sequence} 10:00:00",
            "user_id": 2,
            "event": "limit_change",
            "res_model": "res.partner",
            "res_id": 7,
            "res_name": "Lotus 莲花",
            "partner_id": 7,
            "values_before": audit_chain.values_text({"credit_limit": 1000.0 * sequence}),
            "values_after": audit_chain.values_text({"credit_limit": 1000.0 * (sequence + 1)}),
            "reason": None,
            "previous_hash": previous,
        }
        entry["hash"] = audit_chain.entry_hash(entry)
        previous = entry["hash"]
        entries.append(entry)
    return entries


class TestAuditChainTools(BaseCase):
    """The audit log's hash chain, table-driven (no database)."""

    def test_canonical_serialization(self):
        entry = {"event": "hold_change", "company_id": 1, "res_name": "Crane 鹤", "hash": "x"}
        # Sorted keys, every hashed field (missing ones as null), no whitespace, UTF-8;
        # the stored hash itself is never part of what is hashed.
        expected = (
            '{"company_id":1,"event":"hold_change","logged_at":null,"partner_id":null,'
            '"previous_hash":null,"reason":null,"res_id":null,"res_model":null,'
            '"res_name":"Crane 鹤","sequence":null,"user_id":null,"values_after":null,'
            '"values_before":null}'
        ).encode()
        self.assertEqual(audit_chain.canonical(entry), expected)
        self.assertEqual(audit_chain.entry_hash(entry), hashlib.sha256(expected).hexdigest())
        reordered = dict(reversed(list(entry.items())))
        self.assertEqual(audit_chain.entry_hash(reordered), audit_chain.entry_hash(entry))
        with self.assertRaises(TypeError):
            audit_chain.canonical({"logged_at": object()})

    def test_values_text(self):
        cases = [
            (None, None),
            ({}, "{}"),
            ({"b": 1, "a": None}, '{"a": null, "b": 1}'),
            ({"tier": [3, "高风险"]}, '{"tier": [3, "高风险"]}'),
        ]
        for values, expected in cases:
            with self.subTest(values=values):
                self.assertEqual(audit_chain.values_text(values), expected)

    def test_every_field_is_covered(self):
        entry = _chain(1)[0]
        for name, other in [
            ("company_id", 2),
            ("sequence", 9),
            ("logged_at", "2025-06-01 10:00:01"),
            ("user_id", 1),
            ("event", "tier_change"),
            ("res_model", "res.users"),
            ("res_id", 8),
            ("res_name", "Lotus"),
            ("partner_id", None),
            ("values_before", '{"credit_limit": 1.0}'),
            ("values_after", None),
            ("reason", ""),
            ("previous_hash", "1" * 64),
        ]:
            with self.subTest(field=name):
                self.assertNotEqual(
                    audit_chain.entry_hash({**entry, name: other}), entry["hash"], name
                )

    def test_first_broken(self):
        def tamper(index, **changes):
            entries = _chain(4)
            entries[index] = {**entries[index], **changes}
            return entries

        def rehashed(index, **changes):
            entries = tamper(index, **changes)
            entries[index]["hash"] = audit_chain.entry_hash(entries[index])
            return entries

        chain = _chain(4)
        cases = [
            ("intact", chain, None),
            ("empty", [], None),
            ("first entry edited", tamper(0, reason="edited"), 0),
            ("middle entry edited", tamper(2, values_after='{"credit_limit": 1e9}'), 2),
            ("last entry edited", tamper(3, user_id=1), 3),
            ("stored hash edited", tamper(1, hash="f" * 64), 1),
            # Editing a row and its hash breaks the link of the entry after it.
            ("entry and hash edited", rehashed(1, reason="edited"), 2),
            ("entry removed", chain[:1] + chain[2:], 1),
            ("entries swapped", [chain[1], chain[0], *chain[2:]], 0),
            ("entry duplicated", chain[:2] + chain[1:], 2),
            ("first link broken", rehashed(0, previous_hash="1" * 64), 0),
            ("sequence edited and rehashed", rehashed(2, sequence=7), 2),
        ]
        for label, entries, expected in cases:
            with self.subTest(label):
                self.assertEqual(audit_chain.first_broken(entries), expected)

    def test_chunks_and_companies(self):
        chain = _chain(5)
        # A chunk is checked from the last entry of the chunk before it.
        self.assertIsNone(
            audit_chain.first_broken(chain[2:], chain[1]["hash"], chain[1]["sequence"] + 1)
        )
        self.assertEqual(audit_chain.first_broken(chain[2:]), 0)
        self.assertEqual(audit_chain.first_broken(chain[2:], chain[1]["hash"], 1), 0)
        # Each company has its own chain: another company's entries do not continue it.
        other = _chain(2, company_id=2)
        self.assertIsNone(audit_chain.first_broken(other))
        self.assertEqual(audit_chain.first_broken(chain[:2] + other), 2)
        self.assertNotEqual(other[0]["hash"], chain[0]["hash"])
