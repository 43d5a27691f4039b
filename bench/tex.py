"""TeX in titles and abstracts: the shipped renderer against latex2mathml and pylatexenc, on real abstracts.

    python -m bench.tex --json            (needs: pip install latex2mathml pylatexenc; either may be missing)
    python -m bench.tex --commands 50000  (which commands the shipped renderer leaves unrendered, and its speed)

Fidelity: on --papers real abstracts holding math (half from each arXiv file in ../shared/data/arxiv), the share
that render without an error and without raw TeX left over: a `\\command` in the visible text, or (for the
shipped renderer, which shows an unknown command as its bare name) a command in math that it does not know.
pylatexenc drops unknown commands silently, so its share counts errors and leftovers only. Speed: ms per
abstract (p50, p99), and seconds for each hostile input (a RecursionError or a 20 s timeout is reported as
such). Safety: every output of real, hostile and random inputs parsed as HTML; any tag or attribute outside the
renderer's own set counts as a violation (latex2mathml's MathML goes through nh3 with MathML elements only).
"""

import argparse
import html
import itertools
import json
import logging
import lzma
import os
import random
import re
import signal
import statistics
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")

SHARED = Path(os.environ.get("PAPERHUB_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))
FILES = ("archive-1986-2019.jsonl.xz", "recent-2025-2026.jsonl.xz")
HOSTILE = {
    "40,000 chars of \\(": "\\(" * 20_000,
    "100,000 $": "$" * 100_000,
    "nested braces {{{ (one 999-char span)": "$" + "{" * 999 + "$",
    "nested braces {{{ (40,000 chars)": "$" + "{" * 40_000 + "$",
    "\\frac chain (100 spans)": ("$" + "\\frac{1}" * 120 + "$ ") * 100,
    "^^^^ (100 spans of 999)": ("$" + "^" * 999 + "$ ") * 100,
    "^{^{ nested 400 deep": "$" + "^{" * 400 + "x" + "}" * 400 + "$",
}
XSS = ['<script>alert(1)</script>', '$x^{<img src=x onerror=alert(1)>}$', '$\\text{"><svg onload=alert(1)>}$',
       '$\\href{javascript:alert(1)}{x}$', '$\\mathbf{<b>}$ \\textbf{"q"}', "$a$<iframe src=//x>$b$",
       '$\\style{x}{<a href="javascript:1">}$', "\\(<math><mi xlink:href=javascript:1>x</mi></math>\\)"]
MATHML = {"math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup", "mfrac", "msqrt",
          "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom",
          "menclose", "semantics", "annotation", "merror"}
MATHML_ATTRIBUTES = {"display", "stretchy", "mathvariant", "fence", "separator", "lspace", "rspace", "accent",
                     "accentunder", "movablelimits", "columnalign", "rowspacing", "columnspacing", "linethickness",
                     "minsize", "maxsize", "symmetric", "width", "height", "depth", "displaystyle", "scriptlevel",
                     "notation"}
_COMMAND = re.compile(r"\\([A-Za-z]+)")


def sample(count: int) -> list[str]:
    """The first `count` abstracts holding math, half from each shared arXiv file."""
    texts: list[str] = []
    for name in FILES:
        with lzma.open(SHARED / "arxiv" / name, "rt") as lines:
            found = (r["abstract"] for r in map(json.loads, lines) if "$" in r["abstract"] or "\\(" in r["abstract"])
            texts += itertools.islice(found, count // 2)
    return texts


def with_backslash(count: int) -> list[str]:
    """`count` abstracts holding a backslash: every one of the recent file's, then the archive's first."""
    texts: list[str] = []
    for name in reversed(FILES):
        with lzma.open(SHARED / "arxiv" / name, "rt") as lines:
            found = (r["abstract"] for r in map(json.loads, lines) if "\\" in r["abstract"])
            texts += itertools.islice(found, count - len(texts))
    return texts


#: Math font switches the renderer drops without rendering ({\cal L} shown as a plain L).
_DROPPED = {"rm", "cal", "bf", "sf", "it"}


def unrendered(texts: list[str]) -> dict:
    """The commands the shipped renderer leaves unrendered: in text mode shown as written (a `\\name` in the plain
    text), in math shown as their bare name (not in texmath.KNOWN) or dropped (_DROPPED); for each, how many
    abstracts hold it; and the CPU time of render_abstract and plain_text over all of them (best of 3)."""
    from paperhub.papers import tex, texmacros, texmath, texspans

    known = texmath.KNOWN - {name for name in _DROPPED if texmath.SYMBOLS.get(name) == ""}
    counts: dict[str, int] = {}
    holding = 0
    for text in texts:
        names = set(_COMMAND.findall(tex.plain_text(text)))
        shown = texmacros.expand_macros(text)  # as rendered: the text's own macros expanded
        names |= {name for _, low, high, _ in texspans.spans(shown) for name in _COMMAND.findall(shown, low, high)
                  if name not in known}
        holding += bool(names)
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    runs = []
    for _ in range(3):
        started = time.process_time()
        for text in texts:
            tex.render_abstract(text)
            tex.plain_text(text)
        runs.append(time.process_time() - started)
    top = sorted(counts.items(), key=lambda item: -item[1])[:40]
    return {"abstracts": len(texts), "with_unrendered": holding, "us_per_abstract": round(min(runs) / len(texts) * 1e6,
            1), "top": dict(top)}


def renderers() -> dict[str, Callable[[str], str]]:
    """Each available renderer: abstract in, HTML out."""
    from paperhub.papers import tex, texspans
    from paperhub.papers.records import latex_to_unicode

    chosen: dict[str, Callable[[str], str]] = {"paperhub": lambda text: str(tex.render_abstract(text))}
    try:
        import nh3
        from latex2mathml.converter import convert

        def mathml(text: str) -> str:
            out, position = [], 0
            for start, low, high, end in texspans.spans(text):
                out += [html.escape(latex_to_unicode(text[position:start])), convert(text[low:high])]
                position = end
            out.append(html.escape(latex_to_unicode(text[position:])))
            return nh3.clean("".join(out), tags=MATHML, attributes={"*": MATHML_ATTRIBUTES})

        chosen["latex2mathml"] = mathml
    except ImportError:
        pass
    try:
        from pylatexenc.latex2text import LatexNodes2Text

        unicode = LatexNodes2Text(math_mode="text")
        chosen["pylatexenc"] = lambda text: html.escape(unicode.latex_to_text(text))
    except ImportError:
        pass
    return chosen


class Markup(HTMLParser):
    """The tags, attributes and visible text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes |= {f"{tag}.{name}={value if name == 'class' else ''}" for name, value in attrs}

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(fragment: str) -> Markup:
    markup = Markup()
    markup.feed(fragment)
    markup.close()
    return markup


def allowed(name: str) -> Callable[[Markup], bool]:
    """Whether a parsed output holds only the renderer's own tags and attributes."""
    if name == "paperhub":
        return lambda m: (m.tags <= {"p", "span", "sup", "sub", "b", "i", "em", "strong", "code", "a"}  # text mode's
                          and m.attributes <= {"span.class=math", "a.href=", "a.rel="})  # a: \href's, http(s) only
    if name == "latex2mathml":
        return lambda m: m.tags <= MATHML and all(a.split(".")[1].split("=")[0] in MATHML_ATTRIBUTES
                                                  for a in m.attributes)
    return lambda m: not m.tags and not m.attributes


def unknown_commands(text: str) -> bool:
    """Whether a math span of `text` uses a command the shipped renderer shows as its bare name."""
    from paperhub.papers import texmath, texspans

    return any(name not in texmath.KNOWN for _, low, high, _ in texspans.spans(text)
               for name in _COMMAND.findall(text, low, high))


def timed(render: Callable[[str], str], text: str, limit: int = 20) -> str | float:
    """Seconds for one render, or what stopped it."""
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError()))
    signal.alarm(limit)
    started = time.perf_counter()
    try:
        render(text)
        return round(time.perf_counter() - started, 4)
    except TimeoutError:
        return f"over {limit} s"
    except Exception as error:  # noqa: BLE001 (what a library raises on hostile input is the finding)
        return type(error).__name__
    finally:
        signal.alarm(0)


def measure(name: str, render: Callable[[str], str], texts: list[str], safety: list[str]) -> dict:
    """Fidelity, speed and safety of one renderer."""
    clean, errors, times, violations, examples = 0, 0, [], 0, []
    ok = allowed(name)
    for text in texts:
        started = time.perf_counter()
        try:
            out = render(text)
        except Exception:  # noqa: BLE001
            errors += 1
            continue
        times.append((time.perf_counter() - started) * 1000)
        markup = parse(out)
        leftover = _COMMAND.search("".join(markup.text)) or (name == "paperhub" and unknown_commands(text))
        clean += not leftover
        violations += not ok(markup)
        if len(examples) < 20 and len(text) < 600:
            examples.append(out)
    for text in safety:
        try:
            violations += not ok(parse(render(text)))
        except Exception:  # noqa: BLE001, S112 (an error renders nothing: safe)
            continue
    return {
        "clean_share": round(clean / len(texts), 4), "errors": errors,
        "ms_p50": round(statistics.median(times), 3), "ms_p99": round(statistics.quantiles(times, n=100)[98], 3),
        "hostile_s": {case: timed(render, text) for case, text in HOSTILE.items()},
        "safety_inputs": len(texts) + len(safety), "safety_violations": violations, "examples": examples,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=3000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--commands", type=int, metavar="N", help="count unrendered commands in N abstracts")
    args = parser.parse_args()
    if not (SHARED / "arxiv").exists():
        sys.exit(f"the shared data is not at {SHARED} (set PAPERHUB_SHARED_DATA)")
    import django

    django.setup()
    if args.commands:
        print(json.dumps(unrendered(with_backslash(args.commands)), indent=1))
        return
    logging.getLogger("pylatexenc").setLevel(logging.ERROR)  # it warns on every unknown macro
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    texts = sample(args.papers)
    rng = random.Random(16)
    pieces = ["$", "$$", "\\(", "\\)", "{", "}", "^", "_", "\\frac", "\\mathbf", "\\text", "<", ">", '"', "'", "&",
              "<script>", "onerror=", "javascript:", "\\", "a", " "]
    safety = XSS + ["".join(rng.choices(pieces, k=rng.randint(1, 60))) for _ in range(2000)]
    results = {name: measure(name, render, texts, safety) for name, render in renderers().items()}
    if args.json:
        print(json.dumps({"papers": len(texts), "renderers": {
            name: {k: v for k, v in r.items() if k != "examples"} for name, r in results.items()}}, indent=2))
        return
    for name, result in results.items():
        print(f"== {name}: {json.dumps({k: v for k, v in result.items() if k != 'examples'})}")
        for example in result["examples"]:
            print("   ", example)


if __name__ == "__main__":
    main()
