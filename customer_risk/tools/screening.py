"""Customer screening: name and identifier keys for watchlist matching, and the screening
state a customer gets from its screening rounds.

Two names match when their keys are equal: the key ignores case, accents, punctuation,
spacing, full-width/half-width forms and the legal form ("Co., Ltd.", "GmbH", "有限公司").
"""

import re
import unicodedata

# Legal forms stripped from the end of a name, as sequences of words (punctuation already
# turned into spaces: "S.A." is ("s", "a")). Only trailing words are stripped: legal forms
# stand at the end of company names in these languages, and "AG" or "SA" inside a name
# are often part of it.
LEGAL_FORMS = frozenset(
    tuple(form.split())
    for form in (
        # English
        "co",
        "company",
        "corp",
        "corporation",
        "inc",
        "incorporated",
        "llc",
        "llp",
        "lp",
        "ltd",
        "limited",
        "plc",
        "pte",
        "pty",
        "group",
        "holdings",
        # German, Austrian, Swiss, Dutch, Belgian
        "ag",
        "gmbh",
        "kg",
        "ohg",
        "ug",
        "e v",
        "bv",
        "b v",
        "nv",
        "n v",
        "vof",
        # French, Spanish, Italian, Portuguese
        "sa",
        "s a",
        "sarl",
        "s a r l",
        "sas",
        "s a s",
        "sasu",
        "eurl",
        "sl",
        "s l",
        "slu",
        "sociedad anonima",
        "spa",
        "s p a",
        "srl",
        "s r l",
        "snc",
        "lda",
        "ltda",
        # Nordic, Polish, Czech, Hungarian, Russian
        "ab",
        "as",
        "a s",
        "asa",
        "aps",
        "oy",
        "oyj",
        "sp z o o",
        "spzoo",
        "sro",
        "s r o",
        "kft",
        "zrt",
        "ooo",
        "oao",
        "zao",
        "pao",
    )
)
LONGEST_LEGAL_FORM = max(len(form) for form in LEGAL_FORMS)

# Chinese legal forms, stripped from the end of a word, longest first.
CJK_LEGAL_FORMS = tuple(
    sorted(
        (
            "股份有限公司",
            "有限责任公司",
            "有限責任公司",
            "集团有限公司",
            "集團有限公司",
            "控股有限公司",
            "有限公司",
            "分公司",
            "总公司",
            "總公司",
            "集团",
            "集團",
            "公司",
        ),
        key=len,
        reverse=True,
    )
)

# What separates the words of a name once folded: anything neither a letter nor a digit.
_SEPARATORS = re.compile(r"[\W_]+")
# Several values in one cell or field: aliases, identifiers.
_LIST_SEPARATORS = re.compile(r"[;|\n]+")


def fold(text):
    """Unicode NFKC (full-width to half-width), casefold, accents stripped."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", stripped)


def _words(text):
    return [word for word in _SEPARATORS.split(fold(text)) if word]


def _strip_legal_forms(words):
    words = list(words)
    while words:
        for size in range(min(LONGEST_LEGAL_FORM, len(words)), 0, -1):
            if tuple(words[-size:]) in LEGAL_FORMS:
                del words[-size:]
                break
        else:
            last = words[-1]
            suffix = next((form for form in CJK_LEGAL_FORMS if last.endswith(form)), None)
            if suffix is None:
                break
            if len(last) > len(suffix):
                words[-1] = last[: -len(suffix)]
            else:
                words.pop()
    return words


def name_key(name):
    """Matching key of a person's or company's name; "" for an empty name.

    A name made only of legal-form words keeps them, so it never becomes a key that
    matches every other such name.

    >>> name_key("SHANGHAI Lotus Trading Co., Ltd.")
    'shanghailotustrading'
    >>> name_key("上海莲花贸易集团有限公司")
    '上海莲花贸易'
    """
    words = _words(name)
    return "".join(_strip_legal_forms(words) or words)


def identifier_key(value):
    """Matching key of a registration number, tax id or other identifier: its letters and
    digits only, upper case (full-width forms made half-width).

    >>> identifier_key("cn 9131-0000 / 1234")
    'CN913100001234'
    """
    return "".join(ch for ch in unicodedata.normalize("NFKC", value or "") if ch.isalnum()).upper()


def split_values(text):
    """The values of a cell or field holding several, separated by ``;``, ``|`` or lines
    (full-width separators included)."""
    text = unicodedata.normalize("NFKC", text or "")
    return [value.strip() for value in _LIST_SEPARATORS.split(text) if value.strip()]


def name_keys(names):
    """Distinct non-empty keys of ``names``, in their order."""
    return list(dict.fromkeys(key for key in map(name_key, names) if key))


def identifier_keys(values):
    """Distinct non-empty keys of identifiers ``values``, in their order."""
    return list(dict.fromkeys(key for key in map(identifier_key, values) if key))


def watchlist_matches(names, identifiers, entry_names, entry_identifiers):
    """How a customer matches a watchlist entry: ``(kind, key)`` pairs, kind ``name`` or
    ``identifier``; empty when it does not match.

    ``names`` and ``entry_names`` are the keys of the customer's and the entry's names (the
    entry's name and its aliases), ``identifiers`` and ``entry_identifiers`` the keys of
    their identifiers.
    """
    matches = [("name", key) for key in dict.fromkeys(names) if key and key in entry_names]
    matches += [
        ("identifier", key)
        for key in dict.fromkeys(identifiers)
        if key and key in entry_identifiers
    ]
    return matches


# States of a screening round and results of its decision.
OPEN_ROUNDS = frozenset({"draft", "in_review"})


# Screening states a decision gives the customer.
DECISIONS = frozenset({"approved", "conditional", "rejected"})


def partner_screening_state(rounds, current=None):
    """The customer's screening state in one company from its screening rounds there,
    newest first.

    Each round is ``(state, result, hit)``: state draft / in_review / decided / expired,
    result approved / conditional / rejected (decided rounds), hit True while the round's
    watchlist check fails. ``current`` is the customer's state now.

    - an open round with a watchlist hit suspends the standing decision: in_progress;
    - else the newest decided round gives its result: a re-screening in progress does not
      suspend a valid decision;
    - else, when no round was ever decided, a decision recorded before screenings were
      used (``current``) stands;
    - else an open round gives in_progress, expired rounds give expired, and no round at
      all gives none.

    >>> partner_screening_state([("draft", None, False), ("decided", "approved", False)])
    'approved'
    """
    rounds = list(rounds)
    if any(state in OPEN_ROUNDS and hit for state, _result, hit in rounds):
        return "in_progress"
    for state, result, _hit in rounds:
        if state == "decided":
            return result
    if current in DECISIONS and not any(state == "expired" for state, _r, _h in rounds):
        return current
    if any(state in OPEN_ROUNDS for state, _result, _hit in rounds):
        return "in_progress"
    if rounds:
        return "expired"
    return "none"
