"""arXiv category names: current codes, archive-level codes and retired archives, any case; unknown codes as given."""

import re

from paperhub.papers.categories import CATEGORY_NAMES, category_label, category_name


def test_a_category_is_named_as_arxiv_names_it():
    assert category_name("cs.GT") == "Computer Science and Game Theory"
    assert category_name("astro-ph.CO") == "Cosmology and Nongalactic Astrophysics"
    assert category_name("hep-th") == "High Energy Physics - Theory"
    assert category_name("cond-mat.str-el") == "Strongly Correlated Electrons"


def test_aliases_and_retired_archives_have_names():
    assert category_name("cs.NA") == category_name("math.NA") == "Numerical Analysis"
    assert category_name("math.IT") == category_name("cs.IT") == "Information Theory"
    assert category_name("cmp-lg") == category_name("cs.CL") == "Computation and Language"
    assert category_name("solv-int") == category_name("nlin.SI")


def test_a_code_typed_in_another_case_is_named():
    assert category_name("CS.gt") == "Computer Science and Game Theory"
    assert category_name("HEP-TH") == "High Energy Physics - Theory"


def test_an_unknown_code_is_its_own_name():
    assert category_name("I.2.7") == "I.2.7"  # an ACM class, as some snapshot records list among categories
    assert category_name("") == ""
    assert category_label("bio.XY") == "bio.XY"


def test_a_label_puts_the_code_beside_the_name():
    assert category_label("cs.GT") == "Computer Science and Game Theory (cs.GT)"
    assert category_label("q-bio.BM") == "Biomolecules (q-bio.BM)"


def test_the_table_holds_arxiv_shaped_codes_only():
    shape = re.compile(r"[a-z]+(-[a-z]+)?(\.([A-Z]{2}|[a-z]+(-[a-z]+)?))?")
    assert len(CATEGORY_NAMES) > 150
    assert [code for code in CATEGORY_NAMES if not shape.fullmatch(code)] == []
    assert all(name and name == name.strip() for name in CATEGORY_NAMES.values())
