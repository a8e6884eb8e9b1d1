"""Likely duplicates: Chinese has no spaces, so compare character bigrams."""

from __future__ import annotations

import unicodedata

THRESHOLD = 0.3


def _normalise(text: str) -> str:
    kept = []
    for ch in unicodedata.normalize("NFKC", text).lower():
        category = unicodedata.category(ch)
        if category[0] in "LN":  # letters and numbers only
            kept.append(ch)
    return "".join(kept)


def bigrams(text: str) -> set[str]:
    norm = _normalise(text)
    if len(norm) < 2:
        return {norm} if norm else set()
    return {norm[i : i + 2] for i in range(len(norm) - 1)}


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the two texts' bigram sets (0..1)."""
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def similar(text: str, other: str, threshold: float = THRESHOLD) -> bool:
    return similarity(text, other) >= threshold
