"""How tall a served hub's home page and its cards are on a phone (390 px) and a desktop (1280 px), in Chromium.

    python -m bench.phone_cards --url http://127.0.0.1:8000/ [--shots DIR]

Point it at a hub serving the bundled sample (`paperhub bootstrap` offline, `paperhub index update`, `paperhub
serve`): it prints, for each width and colour scheme, the page's height, its cards' mean and tallest height, and
with --shots writes the top of each page as a PNG to look at.
"""

import argparse
import os
from pathlib import Path

from playwright.sync_api import sync_playwright

WIDTHS = (390, 1280)
SCHEMES = ("light", "dark")


def main() -> None:
    """Measure and print; screenshots on request."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000/")
    parser.add_argument("--shots", type=Path)
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("PAPERHUB_CHROMIUM", "/usr/bin/chromium"),
                                             args=["--no-sandbox"], headless=True)
        for width in WIDTHS:
            for scheme in SCHEMES:
                page = browser.new_page(viewport={"width": width, "height": 844}, color_scheme=scheme)
                page.goto(args.url)
                height = page.evaluate("document.documentElement.scrollHeight")
                cards = page.evaluate("[...document.querySelectorAll('.card')].map(c => c.offsetHeight)")
                mean = round(sum(cards) / len(cards)) if cards else 0
                print(f"{width} px {scheme}: page {height} px, {len(cards)} cards, mean {mean} px, "
                      f"tallest {max(cards, default=0)} px")
                if args.shots:
                    args.shots.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=args.shots / f"home-{width}-{scheme}.png",
                                    clip={"x": 0, "y": 0, "width": width, "height": 1400})
                page.close()
        browser.close()


if __name__ == "__main__":
    main()
