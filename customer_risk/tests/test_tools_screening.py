from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.customer_risk import tools


def full_width(text):
    """``text`` as typed with a Chinese input method in full-width mode: ASCII letters,
    digits and punctuation become their full-width forms, spaces ideographic spaces."""
    return "".join(
        "\u3000" if ch == " " else chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text
    )


@tagged("post_install", "-at_install")
class TestScreeningTools(BaseCase):
    """Name and identifier keys, watchlist matching and the customer's screening state,
    without a database."""

    def test_full_width_helper(self):
        self.assertEqual(
            full_width("Co., Ltd."), "\uff23\uff4f\uff0e\uff0c\u3000\uff2c\uff54\uff44\uff0e"
        )

    def test_name_key(self):
        cases = [
            # case, spacing and punctuation
            ("Risky Customer Ltd", "riskycustomer"),
            ("RISKY   CUSTOMER, LIMITED", "riskycustomer"),
            ("risky-customer ltd.", "riskycustomer"),
            # full-width forms, as a Chinese input method types them
            (full_width("RISKY CUSTOMER LIMITED"), "riskycustomer"),
            (full_width("Shanghai Lotus Trading Co., Ltd."), "shanghailotustrading"),
            # accents
            ("Société Générale S.A.", "societegenerale"),
            ("SOCIETE GENERALE", "societegenerale"),
            ("Café Noël SARL", "cafenoel"),
            ("Ærø Fisk A/S", "ærøfisk"),
            # legal forms of several languages, stacked, spelled with or without dots
            ("Müller GmbH & Co. KG", "muller"),
            ("Acme s.a.r.l.", "acme"),
            ("Acme S.à r.l.", "acme"),
            ("Rossi S.p.A.", "rossi"),
            ("Bianchi SRL", "bianchi"),
            ("Nowak Sp. z o.o.", "nowak"),
            ("Van Dijk B.V.", "vandijk"),
            ("Global Widgets Inc.", "globalwidgets"),
            ("Global Widgets Incorporated", "globalwidgets"),
            ("Global Widgets LLC", "globalwidgets"),
            ("Global Widgets Pte. Ltd.", "globalwidgets"),
            ("Global Widgets Holdings plc", "globalwidgets"),
            # a legal-form word inside a name stays
            ("Co Op Supplies Ltd", "coopsupplies"),
            ("AG Farming Ltd", "agfarming"),
            # Chinese legal forms, with or without spaces and brackets
            ("上海莲花贸易有限公司", "上海莲花贸易"),
            ("上海莲花贸易 有限公司", "上海莲花贸易"),
            ("上海莲花贸易股份有限公司", "上海莲花贸易"),
            ("上海莲花贸易有限责任公司", "上海莲花贸易"),
            (full_width("上海莲花贸易(集团)有限公司"), "上海莲花贸易"),
            ("上海莲花贸易集团", "上海莲花贸易"),
            ("上海莲花贸易公司", "上海莲花贸易"),
            ("北京金鹤食品股份有限公司", "北京金鹤食品"),
            ("Lotus Trading 有限公司", "lotustrading"),
            # traditional characters
            ("香港蓮花貿易有限責任公司", "香港蓮花貿易"),
            # nothing but a legal form keeps it rather than becoming empty
            ("Limited", "limited"),
            ("Co., Ltd.", "coltd"),
            ("有限公司", "有限公司"),
            # empty
            ("", ""),
            ("  ., ", ""),
            (None, ""),
        ]
        for name, expected in cases:
            with self.subTest(name=name):
                self.assertEqual(tools.name_key(name), expected)

    def test_identifier_key(self):
        cases = [
            ("91310000MA1FL5QT2K", "91310000MA1FL5QT2K"),
            ("9131 0000-ma1f.l5qt/2k", "91310000MA1FL5QT2K"),
            (full_width("9131 0000 MA1F"), "91310000MA1F"),
            ("DE 123 456 789", "DE123456789"),
            ("", ""),
            (None, ""),
            (" - / ", ""),
        ]
        for value, expected in cases:
            with self.subTest(value=value):
                self.assertEqual(tools.identifier_key(value), expected)

    def test_split_values(self):
        cases = [
            ("A; B", ["A", "B"]),
            ("A|B\nC", ["A", "B", "C"]),
            (full_width("A;B"), ["A", "B"]),  # full-width semicolon
            ("A;; ;B;", ["A", "B"]),
            ("", []),
            (None, []),
        ]
        for text, expected in cases:
            with self.subTest(text=text):
                self.assertEqual(tools.split_values(text), expected)

    def test_keys_are_distinct_and_never_empty(self):
        self.assertEqual(
            tools.name_keys(["Acme Ltd", "ACME LIMITED", "", "-", "Acme Trading"]),
            ["acme", "acmetrading"],
        )
        self.assertEqual(tools.identifier_keys(["de 1", "DE-1", None, "2"]), ["DE1", "2"])

    def test_watchlist_matches(self):
        cases = [
            (["acme"], [], ["acme"], [], [("name", "acme")]),
            (["acme"], [], ["other", "acme"], [], [("name", "acme")]),  # an alias
            (["acme"], ["DE1"], ["other"], ["DE1"], [("identifier", "DE1")]),
            (["acme"], ["DE1"], ["acme"], ["DE1"], [("name", "acme"), ("identifier", "DE1")]),
            (["acme"], ["DE1"], ["other"], ["DE2"], []),
            ([], [], [], [], []),
            ([""], [""], [""], [""], []),  # empty keys never match
        ]
        for names, ids, entry_names, entry_ids, expected in cases:
            with self.subTest(names=names, ids=ids, entry_names=entry_names, entry_ids=entry_ids):
                self.assertEqual(
                    tools.watchlist_matches(names, ids, entry_names, entry_ids), expected
                )

    def test_partner_screening_state(self):
        decided = ("decided", "approved", False)
        cases = [
            # (rounds newest first, current state, expected)
            ([], None, "none"),
            ([], "in_progress", "none"),  # its only round was deleted
            ([], "approved", "approved"),  # decided before screenings were recorded
            ([("draft", None, False)], None, "in_progress"),
            ([("in_review", None, False)], "expired", "in_progress"),
            ([("draft", None, False)], "rejected", "rejected"),
            ([decided], None, "approved"),
            ([("decided", "rejected", False), decided], "approved", "rejected"),
            ([("decided", "conditional", False)], "approved", "conditional"),
            # a new round in progress keeps the standing decision...
            ([("draft", None, False), decided], "approved", "approved"),
            # ...unless it found the customer on a watchlist
            ([("in_review", None, True), decided], "approved", "in_progress"),
            ([("in_review", None, True)], "approved", "in_progress"),
            # expiry
            ([("expired", "approved", False)], "approved", "expired"),
            ([("expired", "approved", False), ("expired", "rejected", False)], None, "expired"),
            ([("draft", None, False), ("expired", "approved", False)], "expired", "in_progress"),
            ([decided, ("expired", "approved", False)], "expired", "approved"),
            # an old decided round not yet expired still counts when newer ones expired
            ([("expired", "approved", False), decided], "approved", "approved"),
        ]
        for rounds, current, expected in cases:
            with self.subTest(rounds=rounds, current=current):
                self.assertEqual(tools.partner_screening_state(rounds, current), expected)
