"""GS1 check digits and a word count: what keeps the generator's clean products clean."""
from __future__ import annotations

import re

def gs1_check_digit(body: str) -> str:
    """The GS1 check digit of ``body`` (all digits but the last): weights 3, 1, 3 … from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def gs1_valid(code: str) -> bool:
    """True when ``code`` is digits only and its last digit is the GS1 check digit of the others."""
    return code.isdigit() and len(code) >= 8 and gs1_check_digit(code[:-1]) == code[-1]


_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def max_word_repeats(text: str) -> int:
    """How many times the most frequent word of ``text`` occurs (case-insensitive)."""
    counts: dict[str, int] = {}
    for w in _WORD.findall(text.lower()):
        counts[w] = counts.get(w, 0) + 1
    return max(counts.values(), default=0)
