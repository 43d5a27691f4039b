"""What a page's <head> says about a paper to machines: the Highwire Press citation_* tags (as arXiv's abstract
pages write them; what Zotero's Embedded Metadata translator and Google Scholar read) and a short plain-text
description for link previews. Pure: plain strings out, escaped by the template that writes them."""

from paperhub.papers.bibtex import name_parts
from paperhub.papers.models import Paper
from paperhub.papers.records import strip_controls
from paperhub.papers.tex import plain_text

#: How long a preview's description may be (Open Graph readers cut at about this; Slack and Mastodon show less).
DESCRIPTION_CHARS = 300

def plain_line(text: str, tex: bool = True) -> str:
    """Stored text (any bytes) as one line of plain text, as the feeds give it: control characters dropped, white
    space collapsed, and its TeX (a paper's) rendered, math and accents as Unicode; `tex` off for a person's
    words (a collection's name: "$5 and $10" is money)."""
    text = strip_controls(text or "")
    return " ".join((plain_text(text) if tex else text).split())


def bounded(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """One line of at most `limit` characters, cut at a word with an ellipsis when longer."""
    if len(text) <= limit:
        return text
    return text[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def preview_text(text: str, tex: bool = True) -> str:
    """Stored text (an abstract, a collection's description) as a link preview's description: plain, one line,
    bounded."""
    return bounded(plain_line(text, tex))


def surname_first(name: str) -> str:
    """An author's name as arXiv's citation_author gives it, "Vaswani, Ashish": the last name with its von part
    and suffix ("de la Tour, Jean-Luc", "King Jr., Martin Luther"), split as BibTeX splits it (bibtex.name_parts),
    then the first names; one word as it is, a name "Last, First" too, and arXiv's "First Last, Jr." turned.
    Semicolons go: readers split authors at them."""
    first, von, last, jr = name_parts(" ".join(name.replace(";", " ").split()))
    surname = " ".join(part for part in (von, last, jr) if part)
    return f"{surname}, {first}" if first else surname


def _author_value(name: str, alone: bool) -> str:
    """The citation_author value of one name; a sole author whose surname and given names both have spaces keeps
    the natural order, since Zotero reads a lone "van der Berg, Jan Willem" as two people."""
    turned = surname_first(name)
    surname, _, given = turned.partition(", ")
    return " ".join(name.replace(";", " ").split()) if alone and " " in surname and " " in given else turned


def highwire_tags(paper: Paper, authors: list[str], categories: list[str]) -> list[tuple[str, str]]:
    """The paper's citation_* meta tags as (name, content) pairs, in arXiv's order: title, authors, dates
    (YYYY/MM/DD: first version, then latest), PDF, arXiv id, DOI, abstract, keywords. Empty values left out."""
    names = [plain_line(a) for a in authors]
    tags = [("citation_title", plain_line(paper.title))]
    tags += [("citation_author", _author_value(n, len(names) == 1)) for n in names]
    if paper.published:
        first = f"{paper.published:%Y/%m/%d}"
        tags += [("citation_date", first), ("citation_publication_date", first),
                 ("citation_online_date", f"{paper.updated or paper.published:%Y/%m/%d}")]
    tags += [("citation_pdf_url", paper.pdf_url), ("citation_arxiv_id", paper.arxiv_id or ""),
             ("citation_doi", plain_line(paper.doi)), ("citation_abstract", plain_line(paper.abstract)),
             ("citation_keywords", "; ".join(categories))]
    return [(name, value) for name, value in tags if value]
