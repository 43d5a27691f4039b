"""BibTeX entries for papers."""

import re

from paperhub.papers.models import Paper
from paperhub.papers.records import strip_controls

_SPECIAL = str.maketrans({"{": r"\{", "}": r"\}", "\\": r"\textbackslash{}", "%": r"\%", "&": r"\&", "#": r"\#",
                          "_": r"\_", "$": r"\$"})
#: Inline math as arXiv titles write it ($_{2.5}$, $O(n^2)$): LaTeX already, kept as it is when its braces pair.
_MATH = re.compile(r"\$[^$]+\$")


def _balanced(text: str) -> bool:
    depth = 0
    for char in re.sub(r"\\[{}]", "", text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _value(text: str) -> str:
    """A field's text for a .bib file: special characters escaped outside inline math, math kept."""
    text, out, at = " ".join(strip_controls(text).split()), [], 0
    for math in _MATH.finditer(text):
        if _balanced(math.group()) and "%" not in math.group():
            out += [text[at:math.start()].translate(_SPECIAL), math.group()]
            at = math.end()
    out.append(text[at:].translate(_SPECIAL))
    return "".join(out)


def citation_key(paper: Paper, first_author: str) -> str:
    """surnameYEARfirstword, as Google Scholar and arXiv do."""
    surname = re.sub(r"[^a-z]", "", (first_author.split()[-1] if first_author.split() else "").lower())
    year = f"{paper.published:%Y}" if paper.published else ""
    word = next((w for w in re.findall(r"[a-z]+", paper.title.lower()) if len(w) > 3), "")
    return f"{surname or 'anon'}{year}{word}"


def bibtex(paper: Paper, authors: list[str]) -> str:
    """An @misc entry (arXiv's own form) for a paper and its ordered author names."""
    fields = [("title", "{" + _value(paper.title) + "}"), ("author", _value(" and ".join(authors)))]
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
