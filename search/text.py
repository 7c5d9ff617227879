"""Text folding shared by the index and the query, and highlighting of hits in the original text.

Japanese, Chinese and Thai are written without spaces between words, and Wagtail's database backends split
text into words at spaces. We match by substring instead: after folding, every word a visitor types is a
substring of the text it occurs in, whatever the script, with no dictionary and no server. Folding makes
spellings that readers treat as the same word compare equal:

- Unicode NFKC (full-width letters and digits, half-width katakana) and case folding;
- katakana → hiragana (サザエ堂 = さざえ堂), and the small ヶ/ヵ read as け/か (鶴ヶ城 = 鶴ケ城);
- Latin diacritics dropped (Tōkaichi → tokaichi), never Thai vowel marks or Japanese voicing marks;
- spaces between two Han/kana characters dropped (末廣酒造 嘉永蔵 = 末廣酒造嘉永蔵), other spaces collapsed.

`fold_with_map` also returns where each folded character came from, so hits can be marked in the text as shown.
"""

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_TERMS = 10

_SMALL_KANA = {"ヶ": "け", "ヵ": "か", "ゖ": "け", "ゕ": "か"}
_LONG_VOWELS = re.compile(r"ou|oo|oh(?![aeiou])|uu|aa|ii|ee")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_EDGE_PUNCTUATION = ".,;:!?\"'()[]{}「」『』、。・*%_"
_HAN_KANA = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u31f0-\u31ff々〆ー"
_SPACES = re.compile(" +")
# Spaces to drop or shorten: at either end, doubled, or between two Han/kana characters.
_SPACES_TO_DROP = re.compile(f"^ | $|  |[{_HAN_KANA}] +[{_HAN_KANA}]")
_IS_HAN_KANA = re.compile(f"[{_HAN_KANA}]")


def _is_latin_letter(char: str) -> bool:
    code = ord(char)
    return 0xC0 <= code <= 0x24F or 0x1E00 <= code <= 0x1EFF


_FOLDED: dict[str, str] = {}  # character → folded form; texts use a few thousand distinct characters
_MAX_CACHED = 50_000  # queries may bring any character: the cache stops growing here


def _fold_char(char: str) -> str:
    """One character as it is compared; "" for characters that carry no meaning (controls, format marks)."""
    if char in _SMALL_KANA:
        return _SMALL_KANA[char]
    folded = []
    for part in unicodedata.normalize("NFKC", char).casefold():
        if part.isspace():
            folded.append(" ")
        elif unicodedata.category(part) in ("Cc", "Cf"):  # NUL, zero-width space, soft hyphen...
            continue
        elif "ァ" <= part <= "ヶ":
            folded.append(_SMALL_KANA.get(part, chr(ord(part) - 0x60)))
        elif _is_latin_letter(part):
            folded.extend(c for c in unicodedata.normalize("NFD", part) if not unicodedata.combining(c))
        else:
            folded.append(part)
    return "".join(folded)


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters the index of the character of `text` it came from."""
    table = _FOLDED
    new = set(text).difference(table)
    if len(table) + len(new) > _MAX_CACHED:
        table = {**table, **{char: _fold_char(char) for char in new}}
    else:
        for char in new:
            table[char] = _fold_char(char)
    parts = [table[char] for char in text]
    folded = "".join(parts)
    if len(folded) == len(text) and "" not in parts:  # every character folded to one: the usual case
        origin = list(range(len(text)))
    else:
        origin = [index for index, part in enumerate(parts) for _ in part]
    if " " in folded and _SPACES_TO_DROP.search(folded):
        folded, origin = _drop_spaces(folded, origin)
    return folded, origin


def _drop_spaces(folded: str, origin: list[int]) -> tuple[str, list[int]]:
    """Runs of spaces → one space, or none at either end and between two Han/kana characters."""
    pieces: list[str] = []
    kept: list[int] = []
    position, end = 0, len(folded)
    for match in _SPACES.finditer(folded):
        start, stop = match.span()
        pieces.append(folded[position:start])
        kept.extend(origin[position:start])
        between_han_kana = _IS_HAN_KANA.match(folded[start - 1]) and _IS_HAN_KANA.match(folded[stop % end])
        if 0 < start and stop < end and not between_han_kana:
            pieces.append(" ")
            kept.append(origin[start])
        position = stop
    pieces.append(folded[position:])
    kept.extend(origin[position:])
    return "".join(pieces), kept


def fold(text: str) -> str:
    """The form in which text is stored in the index and queries are compared."""
    return fold_with_map(text)[0]


def romaji_key(text: str) -> str:
    """Latin text reduced to letters and digits with long vowels shortened: Tōkaichi, Toukaichi → tokaichi.

    Hepburn is written with macrons, without them, or with doubled vowels (ou, oo, oh); visitors type any.
    """
    return _NOT_ALNUM.sub("", _LONG_VOWELS.sub(lambda match: match.group(0)[0], fold(text)))


def is_latin(term: str) -> bool:
    return bool(term) and all(c.isascii() or _is_latin_letter(c) for c in term)


def query_terms(query: str) -> list[str]:
    """The distinct words of a query, folded, in the order typed."""
    terms: list[str] = []
    for typed in query.split():  # split before folding: a space typed between two kanji still separates words
        for word in fold(typed).split(" "):
            word = word.strip(_EDGE_PUNCTUATION)
            if word and word not in terms:
                terms.append(word)
    return terms


def term_variants(term: str) -> list[str]:
    """What a term may match: itself and, for Latin words, its romaji key (matched against the alias text)."""
    variants = [term]
    if is_latin(term):
        key = romaji_key(term)
        if len(key) >= 2 and key not in variants:
            variants.append(key)
    return variants


def highlight(text: str, terms: list[str], window: int | None = None) -> SafeString:
    """`text` escaped, with every hit of `terms` wrapped in <mark>; with `window`, only that many characters
    around the first hit (or the start of the text when nothing in it matches)."""
    folded, origin = fold_with_map(text)
    spans: list[tuple[int, int]] = []
    for term in terms:
        start = folded.find(term)
        while start != -1 and term:
            end = start + len(term) - 1
            spans.append((origin[start], origin[end] + 1))
            start = folded.find(term, start + len(term))
    spans = _merge(spans)

    first, last = 0, len(text)
    if window is not None and len(text) > window:
        anchor = spans[0][0] if spans else 0
        first = max(0, min(anchor - window // 3, len(text) - window))
        last = first + window
    pieces = ["…" if first > 0 else ""]
    cursor = first
    for start, end in spans:
        if end <= first or start >= last:
            continue
        start, end = max(start, first), min(end, last)
        pieces.append(escape(text[cursor:start]))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    pieces.append(escape(text[cursor:last]))
    if last < len(text):
        pieces.append("…")
    return mark_safe("".join(pieces))


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
