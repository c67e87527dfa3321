"""Access codes: random, single-use, easy to type from a letter.

10 characters from a 25-character alphabet without look-alikes (no 0/O/Q-like pairs, 1/I/L,
2/Z, 5/S, U/V) give 10 × log2(25) ≈ 46 bits. Printed as XXXXX-XXXXX; accepted in any case,
with or without spaces and dashes.
"""

from __future__ import annotations

import math
import secrets

ALPHABET = "346789ABCDEFGHJKMNPQRTWXY"
CODE_LENGTH = 10
CODE_BITS = CODE_LENGTH * math.log2(len(ALPHABET))


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def new_codes(count: int, existing: set[str] | None = None) -> list[str]:
    """`count` distinct fresh codes, none of them in `existing`."""
    taken = set(existing or ())
    codes: list[str] = []
    while len(codes) < count:
        code = new_code()
        if code not in taken:
            taken.add(code)
            codes.append(code)
    return codes


def format_code(code: str) -> str:
    """For print: two groups of five."""
    return f"{code[:5]}-{code[5:]}"


def normalise_code(raw: str) -> str:
    """What a person typed → the stored form (upper case, no separators)."""
    return "".join(ch for ch in str(raw).upper() if ch.isalnum())[:64]
