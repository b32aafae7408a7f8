"""Pure parsers for the CIA World Factbook's free text (no I/O).

Every parser either returns what it read or raises `TextParseError` with a short reason; the
caller turns that into a ParseProblem. Nothing is guessed: a value with a bound ("up to",
"less than" outside ethnic shares), several years, or words that change its meaning is refused.

Decisions, in one place:
- "NA" (not available) and "NEGL" (negligible) are refused: neither is a number, and reading
  NEGL as 0 would invent a value.
- A range "10-15,000" is 10,000 to 15,000: a bare lower end takes the thousands of the upper
  end when that keeps it below the upper end ("500-1,000" stays 500 to 1,000).
- The year comes from the value's own date "(2025 est.)", "(July 2015 est.)", "(2020)";
  a period "(2014-15 est.)" gives its first year and a note; two different dates are refused.
- Ethnic shares "less than 1%" / "<1%" are kept as the range 0 to 1 with a note, because that
  is exactly what they say; "at least 99%" keeps 99 as the lower end with a note.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from country_profiles.importer.notes import join_notes

Number = int | float


class TextParseError(ValueError):
    """The text could not be read; the message is the reason."""


# --- cleaning -------------------------------------------------------------------------------

_TAG = re.compile(r"</?[a-zA-Z][^<>]*>|<!--.*?-->", re.DOTALL)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def clean_text(text: str) -> str:
    """Strip HTML tags, unescape entities, turn non-breaking spaces into spaces, squeeze blanks."""
    without_tags = _TAG.sub("", _BREAK.sub(" ", text))  # tags first: "&lt;1%" must not become a tag
    unescaped = html.unescape(without_tags).replace("\xa0", " ").replace("\u2009", " ")
    return re.sub(r"\s+", " ", unescaped).strip()


def name_key(name: str) -> str:
    """A comparison key for place names: no accents, case, leading 'the' or punctuation noise."""
    text = unicodedata.normalize("NFKD", clean_text(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ").replace("\u2019", "'")
    text = re.sub(r"^the\s+", "", text)
    text = re.sub(r"[.\s]+", " ", text)
    return text.strip()


# --- numbers --------------------------------------------------------------------------------

NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_MULTIPLIER_WORDS = {"million": 10**6, "billion": 10**9, "trillion": 10**12}
_MULTIPLIER = r"(?:million|billion|trillion)"
AMOUNT = (
    rf"(?P<low>{NUMBER})(?:\s*(?P<low_mult>{_MULTIPLIER}))?"
    rf"(?:\s*[-\u2013]\s*(?P<high>{NUMBER})(?:\s*(?P<high_mult>{_MULTIPLIER}))?)?"
)
_AMOUNT_RE = re.compile(AMOUNT)


def parse_number(token: str) -> Decimal:
    """'1,063' -> 1063, '.1' -> 0.1, '4,347.15' -> 4347.15; refuses malformed grouping."""
    if not re.fullmatch(NUMBER, token):
        raise TextParseError(f"not a number: {token!r}")
    return Decimal(token.replace(",", ""))


def plain(number: Decimal) -> Number:
    """int when integral, float otherwise."""
    return int(number) if number == number.to_integral_value() else float(number)


@dataclass(frozen=True)
class Amount:
    value: Decimal
    value_max: Decimal | None = None


def amount_from_match(match: re.Match) -> Amount:
    """Read a match of AMOUNT: a number or a range, each end with an optional 'million'."""
    low = parse_number(match["low"]) * _MULTIPLIER_WORDS.get(match["low_mult"] or "", 1)
    if match["high"] is None:
        return Amount(low)
    high_number = parse_number(match["high"])
    high = high_number * _MULTIPLIER_WORDS.get(match["high_mult"] or "", 1)
    low_token = match["low"]
    if match["high_mult"] and not match["low_mult"] and parse_number(low_token) <= high_number:
        low = parse_number(low_token) * _MULTIPLIER_WORDS[match["high_mult"]]  # "1.1-1.2 million"
    elif "," not in low_token and "." not in low_token and not match["low_mult"]:
        groups = match["high"].split(".")[0].count(",")
        scaled = low * 1000**groups  # "10-15,000" -> 10,000
        if groups and scaled <= high:
            low = scaled
    if low > high:
        raise TextParseError(f"range runs backwards: {match.group(0)!r}")
    return Amount(low, high)


def parse_amount(text: str) -> Amount:
    """A whole text that is a number or range: '10-15,000', '1.284 million', '70-75'."""
    match = _AMOUNT_RE.fullmatch(text.strip())
    if not match:
        raise TextParseError(f"not a number or range: {text!r}")
    return amount_from_match(match)


# --- dates ----------------------------------------------------------------------------------

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE = (
    rf"\((?:(?:{_MONTHS})\s+)?(?P<year>1[89]\d\d|20\d\d)"
    r"(?:\s*[-\u2013/]\s*(?P<year_end>\d{4}|\d{2}))?"
    r"(?:\s+(?P<kind>est\.?|estimate|projected|forecast|census|Census))?\s*\)"
)
_DATE_RE = re.compile(DATE)
_DATE_THEN_STALE_DATE = re.compile(rf"^\s*{DATE}\s*\((?P<stale>1[89]\d\d|20\d\d)\)\s*$")
_BROKEN_DATE_RE = re.compile(r"\(\s*\d{1,3}(?:\s+est\.?)?\s*\)|\(\s*\d{5,}(?:\s+est\.?)?\s*\)")


@dataclass(frozen=True)
class DateMark:
    year: int
    note: str | None = None  # e.g. "period 2014-15", "projected"


def date_from_match(match: re.Match) -> DateMark:
    notes = []
    if match["year_end"]:
        notes.append(f"period {match['year']}-{match['year_end']}")
    kind = (match["kind"] or "").lower().rstrip(".")
    if kind in ("projected", "forecast", "census"):
        notes.append(kind)
    return DateMark(int(match["year"]), "; ".join(notes) or None)


def find_dates(text: str) -> list[DateMark]:
    """Every date in parentheses, in order of appearance."""
    return [date_from_match(m) for m in _DATE_RE.finditer(text)]


def trailing_date(text: str) -> DateMark | None:
    """The date that ends the text, if any: how the Factbook dates a whole entry."""
    match = re.search(rf"(?:{DATE})\s*\W*$", clean_text(text))
    return date_from_match(match) if match else None


def single_year(dates: list[DateMark]) -> DateMark | None:
    """The one year the dates agree on; refuses texts with two different years."""
    years = sorted({d.year for d in dates})
    if len(years) > 1:
        raise TextParseError(f"several years: {', '.join(map(str, years))}")
    if not dates:
        return None
    notes = [d.note for d in dates if d.note]
    return DateMark(years[0], notes[0] if notes else None)


def take_dates(text: str) -> tuple[str, DateMark | None]:
    """Remove the dates from a text; return what is left and the one year they give."""
    dates = find_dates(text)
    date = single_year(dates)
    rest = _DATE_RE.sub(" ", text)
    broken = _BROKEN_DATE_RE.search(rest)
    if broken:
        raise TextParseError(f"unreadable date {broken.group(0)!r}")
    return re.sub(r"\s+", " ", rest).strip(), date


# --- single measured values -----------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    value: Number
    value_max: Number | None = None
    year: int | None = None
    note: str | None = None


UNITS = {
    "sq km": r"sq\s*km",
    "km": r"km",
    "%": r"%",
    "% of GDP": r"%\s*of\s+GDP",
    "count": r"",
}
_NOT_AVAILABLE = re.compile(r"^(?:NA|N/A|not available|estimates not available)(?![\w])", re.IGNORECASE)
_NEGLIGIBLE = re.compile(r"^(?:NEGL|negligible)\b", re.IGNORECASE)
_APPROXIMATE = r"approximately|about|around|estimated|an estimated|some|ca\."
_BOUNDS = r"less than|more than|fewer than|up to|as many as|at least|over|under|nearly|almost"


def refuse_non_numbers(text: str) -> None:
    """NA, NEGL and wording without any digit are not values."""
    if not text:
        raise TextParseError("empty")
    if _NOT_AVAILABLE.match(text):
        raise TextParseError("not available (NA)")
    if _NEGLIGIBLE.match(text):
        raise TextParseError("negligible (NEGL): no figure")
    if not re.search(r"\d", text):
        raise TextParseError(f"no figure: {text[:80]!r}")


def parse_measure(text: str, unit: str = "count", *, strict: bool = False) -> Measure:
    """A value with its unit and date: '199,951 sq km', '3.197 million (2024 est.)', '28 (2025)'.

    Text after the value becomes the note. With strict=True only a parenthesis or a '; ...'
    alternative may follow (for columns without a note, where words like 'less than' or
    'Saint Helena Island' would silently change what the value means).
    """
    cleaned = clean_text(text)
    refuse_non_numbers(cleaned)
    unit_re = UNITS[unit]
    pattern = rf"^(?:(?P<approx>{_APPROXIMATE})\s+)?{AMOUNT}" + (
        rf"\s*{unit_re}(?![A-Za-z])" if unit_re else r"(?![\d,.%])"
    )
    match = re.match(pattern, cleaned)
    if not match:
        if re.match(rf"^(?:{_BOUNDS})\b", cleaned, re.IGNORECASE):
            raise TextParseError(f"a bound, not a value: {cleaned[:80]!r}")
        raise TextParseError(f"no value in {unit!r} at the start: {cleaned[:80]!r}")
    amount = amount_from_match(match)
    after = cleaned[match.end() :]
    stale = _DATE_THEN_STALE_DATE.match(after)
    if stale:
        # '1,497 km (2021) (2019)': the date right after the value is its own; the second one
        # is the entry's older date left behind when the value was updated.
        own = date_from_match(_DATE_RE.match(after.strip()))
        rest = ""
        older = f"the entry also ends with an older date ({stale['stale']})" if int(stale["stale"]) != own.year else None
        date = DateMark(own.year, join_notes(own.note, older))
    else:
        rest, date = take_dates(after)
    rest = rest.strip(" ,:-")
    if re.match(rf"^(?:{_BOUNDS})\b", rest, re.IGNORECASE):
        raise TextParseError(f"a bound, not a value: {cleaned[:80]!r}")
    if strict and rest and not rest.startswith(("(", ";")):
        raise TextParseError(f"unexpected text after the value: {rest[:80]!r}")
    remark = _strip_outer_parentheses(rest.lstrip("; ")) if rest else None
    note = join_notes("approximately" if match["approx"] else None, remark, date.note if date else None)
    return Measure(
        plain(amount.value),
        plain(amount.value_max) if amount.value_max is not None else None,
        date.year if date else None,
        note,
    )


def _outside_parentheses(text: str) -> str:
    depth, kept = 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif depth == 0:
            kept.append(ch)
    return "".join(kept)


def _strip_outer_parentheses(text: str) -> str:
    text = text.strip()
    if text.startswith("(") and text.endswith(")") and _balanced_inside(text[1:-1]):
        return text[1:-1].strip()
    return text


def _balanced_inside(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return False
    return depth == 0


def split_top_level(text: str, separators: str) -> list[str]:
    """Split at any character in `separators` outside parentheses; a comma followed by a
    digit is a thousands separator, not a list separator."""
    parts, depth, current = [], 0, []
    for index, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        next_is_digit = text[index + 1 : index + 2].isdigit()
        if ch in separators and depth == 0 and not (ch == "," and next_is_digit):
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


# --- several values in one text ---------------------------------------------------------------


def parse_expenditure_history(text: str) -> list[Measure | TextParseError]:
    """One text of several years, one result per part: the 2016 layout 'NA% (2012) ++ 3.74% of
    GDP (2011) ++ NA% (2010)' and the 2020 one '1.5% of GDP (2019) / 1.6% of GDP (2018)'."""
    results: list[Measure | TextParseError] = []
    for part in (p.strip() for p in re.split(r"\+\+|\s/\s", clean_text(text))):
        if not part:
            continue
        try:
            measure = parse_measure(part, "% of GDP")
            if measure.year is None:
                raise TextParseError(f"no year: {part!r}")
            results.append(measure)
        except TextParseError as error:
            results.append(TextParseError(f"{error} in {part!r}"))
    return results


_PIPELINE_LENGTH = re.compile(rf"(?<![\d,.])(?P<length>{NUMBER})\s*(?:(?P<mult>{_MULTIPLIER})\s*)?km\b")


def parse_pipelines(text: str) -> Measure:
    """'4,195 km gas (2022), 16 km oil (2022) (2022)' -> the kinds added up, with one year."""
    cleaned = clean_text(text)
    refuse_non_numbers(cleaned)
    _, date = take_dates(cleaned)  # refuses kinds dated in different years
    body = _DATE_RE.sub(" ", cleaned)
    total, kinds = Decimal(0), []
    for part in split_top_level(body, ","):
        top = _outside_parentheses(part)
        lengths = list(_PIPELINE_LENGTH.finditer(top))
        if not lengths:
            raise TextParseError(f"no length in pipeline part {part!r}")
        if re.search(r"\d", _PIPELINE_LENGTH.sub("", top)):
            raise TextParseError(f"unreadable number in pipeline part {part!r}")
        for index, match in enumerate(lengths):
            total += parse_number(match["length"]) * _MULTIPLIER_WORDS.get(match["mult"] or "", 1)
            end = lengths[index + 1].start() if index + 1 < len(lengths) else len(top)
            kind = re.sub(r"\s+and\s*$", "", top[match.end() : end].strip())
            kinds.append(kind or "unnamed")
    note = join_notes(
        f"sum of {len(kinds)} kinds ({', '.join(kinds)})" if len(kinds) > 1 else None, date.note if date else None
    )
    return Measure(plain(total), None, date.year if date else None, note)


# --- land borders -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BorderSegment:
    name: str  # the neighbour as written, without the qualifier
    qualifier: str | None  # "Kaliningrad Oblast" in "Russia (Kaliningrad Oblast) 261 km"
    length_km: Number
    remark: str | None  # "(of which 225 km is ...)" after the length
    wording: str  # the segment as the source gives it


_SEGMENT = re.compile(
    rf"(?P<name>[^\d;]+?)\s+(?P<length>{NUMBER})\s*km\b" r"(?:\s*\((?P<remark>[^()]*(?:\([^()]*\)[^()]*)*)\))?"
)
_SEGMENT_SEPARATOR = re.compile(r"\s*(?:;|,|\band\b)\s*")
_QUALIFIED = re.compile(r"^(?P<base>.+?)\s*\((?P<qualifier>[^()]+)\)$")


def parse_border_list(text: str) -> tuple[list[BorderSegment], list[tuple[str, str]]]:
    """'China 1,063 km; Kazakhstan 1,212 km' -> segments, plus (text, reason) for unread parts."""
    cleaned = clean_text(text)
    segments: list[BorderSegment] = []
    unread: list[tuple[str, str]] = []
    position = 0
    while position < len(cleaned):
        match = _SEGMENT.match(cleaned, position)
        if not match:
            unread.append((cleaned[position:], "no 'name N km' segment here"))
            break
        raw_name = match["name"].strip(" ,;")
        raw_name = re.sub(r"^and\s+", "", raw_name)
        qualified = _QUALIFIED.match(raw_name)
        segments.append(
            BorderSegment(
                name=qualified["base"].strip() if qualified else raw_name,
                qualifier=qualified["qualifier"].strip() if qualified else None,
                length_km=plain(parse_number(match["length"])),
                remark=match["remark"].strip() if match["remark"] else None,
                wording=match.group(0).strip(" ,;"),
            )
        )
        position = match.end()
        separator = _SEGMENT_SEPARATOR.match(cleaned, position)
        if separator and separator.end() > position:
            position = separator.end()
        elif position < len(cleaned):
            unread.append((cleaned[position:], "unexpected text between segments"))
            break
    return segments, unread


# --- military personnel -----------------------------------------------------------------------


@dataclass(frozen=True)
class PersonnelFigure:
    kind: str  # "active", "paramilitary" or "reserve"
    value: Number
    value_max: Number | None
    wording: str


@dataclass
class PersonnelStrengths:
    year: int | None
    figures: list[PersonnelFigure] = field(default_factory=list)
    unread: list[tuple[str, str]] = field(default_factory=list)


_PARAMILITARY = re.compile(
    r"paramilitary|gendarmerie|national guard|carabinieri|carabineros|guardia civil|"
    r"border (?:guard|service|troops)|internal troops",
    re.IGNORECASE,
)
# 'the Kyrgyz Armed Forces have approximately 11,000 active duty troops' (2020-2022 editions):
# the subject before the verb names the forces, the figure follows.
_SUBJECT = re.compile(
    rf"^the\s+[^;\d]*?\s(?:have|has|are|is|comprise|comprises|consist of|consists of|include|includes)\s+"
    rf"(?=(?:(?:{_APPROXIMATE})\s+)?\d)",
    re.IGNORECASE,
)
_CLAUSE = re.compile(rf"^(?:(?P<qual>{_APPROXIMATE})\s+)?{AMOUNT}\s+(?P<desc>\S.*)$")


def classify_force(description: str) -> str | None:
    """Which indicator a clause's description names; None when it is not clear."""
    head = re.split(r",\s*(?:including|includes)|\(", description, maxsplit=1)[0]
    if re.search("paramilitary", head, re.IGNORECASE):
        return "paramilitary"
    if re.match(r"active(?:[- ]duty)?\b", head, re.IGNORECASE):
        return "active"
    if _PARAMILITARY.search(head):
        return "paramilitary"
    if re.match(r"reserv(?:es|ists)\b", head, re.IGNORECASE):
        return "reserve"
    return None


def parse_personnel_strengths(text: str) -> PersonnelStrengths:
    """Read 'Military and security service personnel strengths' where a clear pattern holds.

    Clauses are split at top-level ';'. A clause without digits is a caveat ('information
    varies') and goes into the wording; a clause with a number must read
    '[approximately|estimated] N <active|paramilitary kind> ...', anything else is unread.
    """
    cleaned = clean_text(text)
    date = trailing_date(cleaned)
    body = re.sub(rf"(?:{DATE})\s*\W*$", "", cleaned).strip()
    result = PersonnelStrengths(date.year if date else None)
    caveats: list[str] = []
    for clause in split_top_level(body, ";"):
        if not re.search(r"\d", clause):
            caveats.append(clause)
            continue
        if re.match(rf"^(?:{_BOUNDS})\b", clause, re.IGNORECASE):
            result.unread.append((clause, "a bound, not a figure"))
            continue
        match = _CLAUSE.match(_SUBJECT.sub("", clause, count=1))
        if not match:
            result.unread.append((clause, "no 'approximately N active ...' pattern"))
            continue
        kind = classify_force(match["desc"])
        if kind is None:
            result.unread.append((clause, "not clearly active, paramilitary or reserve personnel"))
            continue
        amount = amount_from_match(match)
        wording = "; ".join(caveats + [clause])
        result.figures.append(
            PersonnelFigure(
                kind, plain(amount.value), plain(amount.value_max) if amount.value_max is not None else None, wording
            )
        )
    if result.figures and result.year is None:
        result.unread.append((cleaned, "no year"))
        result.figures = []
    return result


# --- ethnic groups ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EthnicShare:
    group: str
    percent: Number
    percent_max: Number | None
    note: str | None


@dataclass
class EthnicList:
    date: DateMark | None
    shares: list[EthnicShare] = field(default_factory=list)
    unread: list[tuple[str, str]] = field(default_factory=list)


_SHARE = re.compile(
    r"^(?P<name>.*?)\s*(?P<qual>approximately|about|around|at least|less than|more than|over|~|<|>)?\s*"
    r"(?P<low>\d*\.?\d+)(?:\s*%?\s*[-\u2013]\s*(?P<high>\d*\.?\d+))?\s*%"
    r"(?P<after>(?:\s*\([^()]*(?:\([^()]*\)[^()]*)*\))*)\s*$"
)
_LABEL = re.compile(r"^(?P<label>[a-z0-9][^:]*):\s+(?P<rest>\S.*)$")


def _name_and_note(raw: str) -> tuple[str, str | None]:
    """'Mestico (mixed European and native African)' -> ('Mestico', 'mixed European and native African')."""
    notes = []
    name = raw.strip()
    while True:
        match = re.match(r"^(?P<base>.*\S)\s*\((?P<inner>[^()]*(?:\([^()]*\)[^()]*)*)\)\s*(?P<tail>.*)$", name)
        if not match or not match["base"].strip():
            break
        notes.append(match["inner"].strip())
        name = f"{match['base']} {match['tail']}".strip()
    name = re.sub(r"\s+(?=[,;])", "", name)  # "mestizo (mixed ...), Amerindian" leaves "mestizo ,"
    return name, "; ".join(notes) if notes else None


def _share_from(match: re.Match) -> EthnicShare:
    name, name_note = _name_and_note(match["name"])
    name = re.sub(r"^and\s+", "", name).strip(" ,;:-")
    label_match = _LABEL.match(name)
    label = None
    if label_match:  # "nine recognized ethnic groups: Tigrinya"
        label, name = label_match["label"], label_match["rest"]
    low = parse_number(match["low"] if not match["low"].startswith(".") else "0" + match["low"])
    high = parse_number(match["high"]) if match["high"] else None
    qual = match["qual"]
    qual_note = None
    if qual in ("less than", "<"):
        low, high = Decimal(0), low
        qual_note = f"less than {plain(high)}%"
    elif qual in ("at least", "more than", "over", ">"):
        qual_note = f"{'more than' if qual == '>' else qual} {plain(low)}%"
    elif qual:
        qual_note = "approximately"
    if high is not None and high < low:
        raise TextParseError(f"range runs backwards: {match.group(0)!r}")
    if (high if high is not None else low) > 100:
        raise TextParseError(f"share above 100%: {match.group(0)!r}")
    after = [a.strip()[1:-1].strip() for a in re.findall(r"\([^()]*(?:\([^()]*\)[^()]*)*\)", match["after"] or "")]
    note = join_notes(qual_note, label, name_note, *after)
    if not name:
        raise TextParseError(f"share without a group name: {match.group(0)!r}")
    return EthnicShare(name, plain(low), plain(high) if high is not None else None, note)


def _read_shares(items: list[str], result: EthnicList) -> None:
    pending: list[str] = []
    for item in items:
        match = _SHARE.match(item)
        if not match:
            if "%" in _outside_parentheses(item):
                result.unread.append((item, "unreadable share"))
                pending = []
            else:
                pending.append(item)
            continue
        try:
            if pending:  # "Kissi, 4.3%" or "Wallisian, Futunian 8.2%": the names before share it
                own_name = match["name"].strip()
                match = _SHARE.match(", ".join(pending + [item])) or match
                share = _share_from(match)
                if own_name:
                    share = EthnicShare(
                        share.group,
                        share.percent,
                        share.percent_max,
                        join_notes(share.note, "several names share one percentage in the source"),
                    )
                pending = []
            else:
                share = _share_from(match)
            result.shares.append(share)
        except TextParseError as error:
            result.unread.append((item, str(error)))
            pending = []
    if pending:
        result.unread.append((", ".join(pending), "groups without percentages"))


def parse_ethnic_groups(text: str) -> EthnicList:
    """'Kyrgyz 73.8%, Uzbek 14.8%, other 5.2% (includes Uyghur, ...) (2021 est.)' -> shares.

    Names without a percentage directly before an item with one are joined to it
    ('Wallisian, Futunian 8.2%' is one group, as the source lists it) and the note says so;
    names with no percentage after them are reported, never kept.
    """
    cleaned = clean_text(text)
    date = trailing_date(cleaned)
    body = re.sub(rf"(?:{DATE})\s*\W*$", "", cleaned).strip().rstrip(",;")
    result = EthnicList(date)
    parts = [split_top_level(part, ",") for part in split_top_level(body, ";")]
    if not any("%" in _outside_parentheses(item) for items in parts for item in items):
        result.unread.append((cleaned, "no percentages"))
        return result
    for items in parts:  # names never share a percentage across a ';'
        _read_shares(items, result)
    return result
