"""BibTeX entries for papers."""

import re
import unicodedata

from paperhub.papers.models import Paper
from paperhub.papers.records import strip_controls
from paperhub.papers.tex import Output, convert, plain_text
from paperhub.papers.texmath import SYMBOLS

_SPECIAL = str.maketrans({"{": r"\{", "}": r"\}", "\\": r"\textbackslash{}", "%": r"\%", "&": r"\&", "#": r"\#",
                          "_": r"\_", "$": r"\$", "~": r"\textasciitilde{}"})
_CLOSERS = {"$": "$", "$$": "$$", "\\(": "\\)"}


def _balanced(text: str) -> bool:
    depth = 0
    for char in re.sub(r"\\[{}]", "", text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _escape(text: str) -> str:
    return text.translate(_SPECIAL)


#: A Greek letter or common symbol that math holds as typed ("TerraDiT-$Ω$"), which pdfLaTeX refuses, and its
#: command (the last name SYMBOLS gives it: \varepsilon for ε, as LaTeX draws them).
_MATH_COMMANDS = {char: f"{{\\{name}}}" for name, char in SYMBOLS.items()
                  if len(char) == 1 and ("\u0370" <= char <= "\u03ff" or char in "≤≥≠≈∞×±∼·∂∇∈∉⊂⊆∪∩→←⇒∀∃")}


def _math(content: str, delimiter: str) -> str:
    """Inline math as arXiv titles write it ($_{2.5}$, $O(n^2)$): LaTeX already, kept as it is when its braces
    pair (and no % comments out the rest), a Greek letter or symbol typed as itself made its command; else
    escaped as text."""
    content = "".join(_MATH_COMMANDS.get(char, char) for char in content)
    span = delimiter + content + _CLOSERS[delimiter]
    return span if _balanced(content) and "%" not in content else _escape(span)


#: Text-mode LaTeX is LaTeX, and a .bib's readers are LaTeX: the formatting commands tex.py knows are kept with
#: their argument (\textsc{DiARC}), as are \%, ~, -- and ``quotes''; citations, which would cite into the reader's
#: own bibliography, are dropped (a textual one leaves its keys as text, as on the page); any other command is
#: escaped, so no stored text can break the entry.
AS_LATEX = Output(_escape, lambda command, inner: f"\\{command}{{{inner}}}" if command else inner, _math,
                  typography=False)


def _value(text: str) -> str:
    """A field's text for a .bib file: special characters escaped, known LaTeX and inline math kept."""
    return convert(" ".join(strip_controls(text).split()), AS_LATEX)


def _plain_value(text: str) -> str:
    """A person's words (Markdown, not LaTeX) for a .bib field: one line, every special character escaped, ^ too."""
    return _escape(" ".join(strip_controls(text).split())).replace("^", r"\textasciicircum{}")


def _ascii(text: str) -> str:
    """Letters without their accents (Ông -> Ong, Müller -> Muller): keys are ASCII, and a dropped Ô lost a letter."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


#: Name suffixes BibTeX writes between the last and the first names ("King, Jr., Martin Luther").
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


#: Capitalised particles that open a compound surname ("Luc Van Gool", "Javier Del Ser", "Oisin Mac Aodha"), where
#: BibTeX, which looks for lower-case ones only, would read the particle as a first name ("Gool, Luc Van", as arXiv's
#: own parsed names do). Left out as too often a given name's part: Bin, Ibn, Abu, Das ("Md Abu Bakr Siddique").
_CAPITAL_PARTICLES = frozenset({"van", "von", "de", "der", "den", "del", "della", "degli", "dei", "di", "da", "dal",
                                "dos", "du", "la", "le", "lo", "ten", "ter", "el", "al", "mac", "st."})


#: Vietnamese surnames and name syllables: in arXiv's order a Vietnamese name often holds Van (Văn) or Le (Lê) before
#: them ("Hung Van Nguyen" is Nguyen, Hung Van; "Minh Le Duc"), which are no particles there; a name with one of them
#: after its particle is left as BibTeX reads it.
_VIETNAMESE = frozenset({"nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do",
                         "ho", "ngo", "duong", "ly", "dinh", "truong", "trinh", "luong", "cao", "quach", "doan",
                         "thi", "duc", "minh", "anh", "duy", "thien", "phuoc", "khac", "huu", "binh", "bao", "ngoc",
                         "tung", "tu", "nam", "nhon", "thanh", "quoc", "hai", "hung", "tuan", "khoa", "quang",
                         "hieu", "trung", "dung", "thu", "hong", "linh", "phuong", "thao", "hoa", "chi"})


def _surname_start(words: list[str]) -> int:
    """Where the last name starts among a name's words without a lower-case von part: at its first capitalised
    particle that is neither the first word nor the last ("Luc Van Gool"), unless a Vietnamese name follows it
    ("Hung Van Nguyen"), else at its last word."""
    last = len(words) - 1
    start = next((i for i in range(1, last) if words[i].casefold() in _CAPITAL_PARTICLES), last)
    return last if any(_ascii(w).casefold() in _VIETNAMESE for w in words[start + 1:]) else start


def name_parts(name: str) -> tuple[str, str, str, str]:
    """A "First von Last Jr." name's (first, von, last, jr) parts by BibTeX's rules: the von part runs from the
    first to the last lower-case word between the first word and the last ("Charles de la Vallée Poussin"), when
    the name has any capital (in "yann lecun" case says nothing); without one, a capitalised particle opens the
    last name ("Luc Van Gool"); a name already "Last, First" is split at its commas, as BibTeX reads it, but
    "First Last, Jr." is arXiv's form; one word is the last name."""
    given, parts = name, [part.strip() for part in name.split(",")]
    if len(parts) == 2 and parts[1].casefold() in _SUFFIXES:
        name, parts = f"{parts[0]} {parts[1]}", [name]
    if len(parts) > 1:
        jr, first = (parts[1], ", ".join(parts[2:])) if len(parts) > 2 else ("", parts[1])
        return first, "", parts[0], jr
    words = name.split()
    if len(words) == 2 and words[-1].casefold() in _SUFFIXES:  # "Smith Jr.": no first name to put after them
        return "", "", given, ""
    jr = words.pop() if len(words) > 2 and words[-1].casefold() in _SUFFIXES else ""
    if len(words) < 2:
        return "", "", " ".join(words), jr
    lower = [i for i in range(1, len(words) - 1) if words[i][0].islower()] if name != name.lower() else []
    start, end = (lower[0], lower[-1] + 1) if lower else (_surname_start(words),) * 2
    return " ".join(words[:start]), " ".join(words[start:end]), " ".join(words[end:]), jr


def bibtex_name(name: str) -> str:
    """A name as BibTeX reads it without doubt: "von Last, Jr., First" ("van der Maaten, Laurens"); one word as
    it is."""
    first, von, last, jr = name_parts(" ".join(name.split()))
    last = f"{von} {last}" if von else last
    return ", ".join(part for part in (last, jr, first) if part) if first or jr else last


#: Words a key's title word is never (arXiv's own keys: "A Survey of ..." is zhao2023survey).
_KEY_SKIPS = frozenset({"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "from", "by", "at", "as",
                        "via", "towards", "toward"})


def citation_key(paper: Paper, first_author: str) -> str:
    """surnameYEARfirstword, as arXiv does: the title's first word that is no article or preposition, its hyphens
    dropped ("GPT-4 Technical Report": gpt4; "MVG-KAN: ...": mvgkan)."""
    # a last name's last word ("de la Vallée Poussin": poussin, as before), a compound one whole ("Van Gool": vangool)
    last = name_parts(first_author)[2].split() or [""]
    surname = re.sub(r"[^a-z]", "", _ascii("".join(last) if last[0].casefold() in _CAPITAL_PARTICLES
                                           else last[-1]).lower())
    year = f"{paper.published:%Y}" if paper.published else ""
    title = _ascii(plain_text(paper.title, keys=False)).lower()
    words = (w.replace("-", "") for w in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", title))
    word = next((w for w in words if w not in _KEY_SKIPS and not w.isdigit()), "")
    return f"{surname or 'anon'}{year}{word}"


def bibtex(paper: Paper, authors: list[str]) -> str:
    """An @misc entry (arXiv's own form) for a paper and its ordered author names."""
    fields = [("title", "{" + _value(paper.title) + "}"), ("author", _value(" and ".join(map(bibtex_name, authors))))]
    if paper.published:
        fields.append(("year", f"{paper.published:%Y}"))
    if paper.arxiv_id:
        fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv")]
        primary = paper.paper_categories.filter(is_primary=True).values_list("category__code", flat=True).first()
        if primary:
            fields.append(("primaryClass", primary))
    if paper.doi:
        fields.append(("doi", _value(paper.doi)))
    if paper.abs_url:
        fields.append(("url", paper.abs_url))
    if note := getattr(paper, "note", ""):  # a collection's note on it (community.collection_papers)
        fields.append(("note", _plain_value(note)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{citation_key(paper, authors[0] if authors else '')},\n{body}\n}}"


def bibliography(papers: list[Paper], names: dict[int, list[str]]) -> str:
    """A .bib file for papers (author names by paper id); repeated citation keys get a, b, c... suffixes."""
    entries, used = [], set()
    for paper in papers:
        entry = bibtex(paper, names.get(paper.pk, []))
        key = entry[entry.index("{") + 1:entry.index(",")]
        unique, suffix = key, 0
        while unique in used:
            unique, suffix = f"{key}{chr(ord('a') + suffix % 26)}{suffix // 26 or ''}", suffix + 1
        used.add(unique)
        entries.append(entry.replace(key, unique, 1))
    return "\n\n".join(entries) + ("\n" if entries else "")
