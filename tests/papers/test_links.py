"""Code repositories and project pages found in abstracts and comments (real strings from arXiv, 2025)."""

import pytest

from paperhub.papers.links import find_links, repository, repository_key


@pytest.mark.parametrize(("abstract", "comments", "code"), [
    ("Code is available at https://github.com/mrazhou/SeTa.", "Accepted by CVPR2025",
     "https://github.com/mrazhou/SeTa"),
    ("Our code and dataset are available at \\href{https://github.com/TeamNLP/Typed-RAG}"
     "{https://github.com/TeamNLP/Typed-RAG}.", "", "https://github.com/TeamNLP/Typed-RAG"),
    ("Code: \\url{https://github.com/yc-cui/Super-AD}.", "", "https://github.com/yc-cui/Super-AD"),
    ("Our code and data are available at: https://github.com/fairyshine/Chain-of-Tools .", "11 pages",
     "https://github.com/fairyshine/Chain-of-Tools"),
    ("are open-sourced at our repository: "
     "https://github.com/athenawen/FAIRE-Fairness-Assessment-In-Resume-Evaluation.git.", "",
     "https://github.com/athenawen/FAIRE-Fairness-Assessment-In-Resume-Evaluation"),
    ("Our code is demonstrated at https://github.com/sypsyp97/Filter2Noise.git .", "preprint",
     "https://github.com/sypsyp97/Filter2Noise"),
    ("Code will be at github.com/Xu3XiWang/CAD-GD.", "CVPR25", "https://github.com/Xu3XiWang/CAD-GD"),
    ("(Code is available at github.com/WeichenFan/CFG-Zero-star)", "", "https://github.com/WeichenFan/CFG-Zero-star"),
    ("available at https://github.com/hmorimitsu/ptlflow/tree/main/ptlflow/models/dpflow. 24 pages", "",
     "https://github.com/hmorimitsu/ptlflow"),
    ("publicly available on https://github.com/13204942/SSL\\_Cervical\\_Segmentation.", "",
     "https://github.com/13204942/SSL_Cervical_Segmentation"),
    ("The code is available at https: //github.com/HongkLin/TIDE.", "", "https://github.com/HongkLin/TIDE"),
    ("Our models are released at https://github. com/Euphoria16/DocMark.", "", "https://github.com/Euphoria16/DocMark"),
    ("Code will be publicly available at https://github.com/ elakhatibi/CDF-RAG.", "",
     "https://github.com/elakhatibi/CDF-RAG"),
    ("at https://www.github.com/KristinaP09/EB-MVFCM.", "", "https://github.com/KristinaP09/EB-MVFCM"),
    ("Code: https://github.com/ owner/ repo-x and more.", "", "https://github.com/owner/repo-x"),  # two wraps
    ("Code: https://github.com/owner / repo.", "", "https://github.com/owner/repo"),
    ("Code: https://github.com/SAI- Lab/LiveCodec.", "", "https://github.com/SAI-Lab/LiveCodec"),  # a hyphen at a wrap
    ("Code: GitHub. com/owner/repo", "", "https://github.com/owner/repo"),
    ("the code is available at \\textcolor{red}{https://github.com/yiyscut/VIO-IPNet.git}.", "",
     "https://github.com/yiyscut/VIO-IPNet"),
    ("Code (see https://github.com/a-b/c_d.e).", "", "https://github.com/a-b/c_d.e"),
    # the paper's own repository, not the one it builds on or contributes to
    ("We build on https://github.com/facebookresearch/detectron2. Our code is at https://github.com/me/mine.", "",
     "https://github.com/me/mine"),
    ("Code for our method in llama-index is in the PR: https://github.com/run-llama/llama_index/pull/17590. Code "
     "for experiments can be found at https://github.com/microsoft/REBEL.", "", "https://github.com/microsoft/REBEL"),
    ("Data: https://zenodo.org/records/1.", "Code: https://github.com/visinf/cups Project page: "
     "https://visinf.github.io/cups/", "https://github.com/visinf/cups"),
    # no repository: an owner alone, a cut-off name, GitHub's own pages, anonymised links, other hosts
    ("Datasets and source codes will be available at https://github.com/zxk688.", "", ""),
    ("The code is available at https://github.com/SAI-", "", ""),
    ("will be available at https://github.com/ --.", "12 pages", ""),
    ("made available at https://github.com/.", "", ""),
    ("available at www.github.com.", "", ""),
    ("see https://github.com/topics/llm and https://github.com/orgs/x", "", ""),
    ("Anonymous GitHub link: https://anonymous.4open.science/r/MTVCrafter-1B13.", "", ""),
    ("SCARF is available at GitHub repository.", "", ""),
    ("Code at https://gitlab.com/a/b.", "", ""),
])
def test_code_link(abstract: str, comments: str, code: str) -> None:
    assert find_links(abstract, comments).code_url == code


@pytest.mark.parametrize(("abstract", "comments", "page"), [
    ("", "Accepted by CVPR 2025. Project Page: https://moqiyinlun.github.io/Reperformer/",
     "https://moqiyinlun.github.io/Reperformer/"),
    ("The project page is available at https://gbliao.github.io/SPC-GS.github.io/", "",
     "https://gbliao.github.io/SPC-GS.github.io/"),
    ("", "Project page: \\url{https://brack-wang.github.io/ZECO_web/}; Github Code: \\url{https://github.com/x/y}",
     "https://brack-wang.github.io/ZECO_web/"),
    ("Project page: https://zerchen.github.io/projects/hort.html", "", "https://zerchen.github.io/projects/hort.html"),
    ("Code and leaderboard can be found at https://gui-agent.github.io/grounding-leaderboard.", "13pages",
     "https://gui-agent.github.io/grounding-leaderboard"),
    ("Our project page is at https://taco-group.github.io/DecAlign and the code is available at "
     "https://github.com/taco-group/DecAlign.", "", "https://taco-group.github.io/DecAlign"),
    ("", "Project website: https://sites.google.com/view/some-project", "https://sites.google.com/view/some-project"),
    ("Videos on our webpage (https://example.org/robot).", "", "https://example.org/robot"),
    ("Homepage: \\url{https://swe-bench-live.github.io/}, Code: \\url{https://github.com/SWE-bench-Live}", "",
     "https://swe-bench-live.github.io/"),
    ("Models at huggingface.github.io.", "", "https://huggingface.github.io"),
    # not project pages: papers, DOIs, data and code hosts, and pages without a cue
    ("Project page: https://arxiv.org/abs/2501.00001", "", ""),
    ("Dataset page: https://huggingface.co/datasets/x/y", "", ""),
    ("Project: https://doi.org/10.5281/zenodo.1", "", ""),
    ("Code is at https://github.com/a/b.", "", ""),
    ("We compare with results reported at https://example.org/leaderboard.", "", ""),
])
def test_project_page(abstract: str, comments: str, page: str) -> None:
    assert find_links(abstract, comments).project_url == page


def test_repository_normalised_and_keyed() -> None:
    assert repository("https://github.com/Owner/Repo.git") == "https://github.com/Owner/Repo"
    assert repository("http://github.com/Owner/Repo/blob/main/README.md") == "https://github.com/Owner/Repo"
    assert repository("https://example.org/Owner/Repo") == ""
    assert repository_key("https://github.com/Owner/Repo/") == "owner/repo"
    assert repository_key("https://huggingface.co/x") == ""


def test_nothing_found_in_plain_text() -> None:
    assert find_links("We study transformers.", "10 pages") == find_links("", "")


def test_capitalised_schemes_and_hosts():
    assert find_links("Code: HTTPS://GitHub.com/Owner/Repo. Project page: Https://Owner.GitHub.io/x").code_url == (
        "https://github.com/Owner/Repo")
    assert find_links("Project page: Https://Owner.GitHub.io/x").project_url == "https://Owner.github.io/x"
    assert find_links("Code: WWW.GITHUB.COM/Owner/Repo").code_url == "https://github.com/Owner/Repo"


@pytest.mark.parametrize(("text", "code", "page"), [
    ("Code: https:// github.com/a/b", "https://github.com/a/b", ""),  # "https://" alone is no URL
    ("Code at github.com/a/b and docs at owner.github.io/docs.", "https://github.com/a/b", "https://owner.github.io/docs"),
    ("Mirror: https://x.org/?u=me.github.io/p", "", ""),  # a github.io inside another URL is part of it
    ("Write to me@github.com/a/b or see x/github.com/c/d", "", ""),  # inside an e-mail address or a path
    ("Página: josé.github.io/p", "", "https://josé.github.io/p"),  # the word before .github.io, letters of any script
    ("Only .github.io here", "", ""),
])
def test_bare_and_schemed_addresses(text: str, code: str, page: str) -> None:
    found = find_links(text)
    assert (found.code_url, found.project_url) == (code, page)
