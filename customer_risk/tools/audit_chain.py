"""The audit log's hash chain: canonical serialization, SHA-256 and verification.

Each entry of a company's audit log is hashed over a canonical serialization of its fields,
the hash of the entry before it included; changing, removing or inserting an entry therefore
breaks the chain at that entry. Entries are plain mappings of JSON values (numbers, strings,
None): the caller turns dates into strings and empty values into None, the same way when it
writes an entry and when it reads it back.
"""

import hashlib
import json

# The hash of "the entry before the first one".
GENESIS = "0" * 64

# Fields an entry's hash covers; ``hash`` itself is the result, never an input.
HASHED_FIELDS = (
    "company_id",
    "sequence",
    "logged_at",
    "user_id",
    "event",
    "res_model",
    "res_id",
    "res_name",
    "partner_id",
    "values_before",
    "values_after",
    "reason",
    "previous_hash",
)


def canonical(entry):
    """The bytes an entry's hash is computed over: compact JSON of the hashed fields with
    sorted keys (a missing field counts as None), UTF-8."""
    payload = {name: entry.get(name) for name in HASHED_FIELDS}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def entry_hash(entry):
    """SHA-256 of the canonical serialization, as 64 hexadecimal digits."""
    return hashlib.sha256(canonical(entry)).hexdigest()


def values_text(values):
    """Values before or after a decision as the JSON text the log stores (sorted keys, so
    equal values always give the same text); None stays None."""
    if values is None:
        return None
    return json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)


def breaks_chain(entry, previous_hash, sequence):
    """Whether ``entry`` cannot follow an entry whose hash is ``previous_hash`` at position
    ``sequence``: wrong position, wrong link, or a stored hash that is not the hash of its
    content."""
    return (
        entry.get("sequence") != sequence
        or entry.get("previous_hash") != previous_hash
        or entry.get("hash") != entry_hash(entry)
    )


def first_broken(entries, previous_hash=GENESIS, first_sequence=1):
    """Index in ``entries`` (ordered by sequence) of the first entry that breaks the chain,
    or None when the whole chain holds.

    ``previous_hash`` and ``first_sequence`` let a long chain be verified in chunks: pass
    the stored hash and the sequence + 1 of the last entry of the previous chunk.
    """
    expected_hash, expected_sequence = previous_hash, first_sequence
    for index, entry in enumerate(entries):
        if breaks_chain(entry, expected_hash, expected_sequence):
            return index
        expected_hash, expected_sequence = entry["hash"], expected_sequence + 1
    return None
