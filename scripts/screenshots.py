"""Screenshots of the main pages, for people to look at before a release.

    .venv/bin/estatedesk demo --port 8000          # in another terminal; wait for the history to load
    .venv/bin/python scripts/screenshots.py --base http://127.0.0.1:8000 --out screenshots

Signs in as each demo persona and saves, for every language (zh-hans, zh-hant, en) and for a
desktop (1366 px) and a phone (390 px) window: each role's home page, the complaint list and
a complaint's page, a transfer slip with its signing chain, the dashboard, a monthly report with its Pareto chart, an
action's fishbone and the resident's status page. Drives Debian's Chromium
(``/usr/bin/chromium``, or ``--chromium``); it never downloads a browser. The status page's
private address is read from the demo's database (``--data-dir``, the folder the demo serves).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "demo-pass-2026"
ROLES = ["duty", "handler_a", "head_eng", "cs_supervisor", "deputy_gm", "gm", "admin"]
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}
LANGUAGES = ["zh-hans", "zh-hant", "en"]


def portal_token(data_dir: str | None) -> str | None:
    """A replied complaint's private status token, read from the demo's database."""
    env = {**os.environ}
    if data_dir:
        env["ESTATEDESK_DATA_DIR"] = data_dir
    code = (
        "from estatedesk.complaints.models import Complaint\n"
        "c = Complaint.objects.exclude(replied_at=None).order_by('-received_at').first()\n"
        "print(c.portal_token if c else '')"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    token = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    return token or None


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form [type=submit]")
    page.wait_for_load_state("networkidle")


def first_link(page: Page, base: str, path: str, pattern: str) -> str | None:
    page.goto(base + path)
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        if href and re.fullmatch(pattern, href):
            return str(href)
    return None


def shoot(page: Page, base: str, url: str, out: Path, name: str) -> None:
    page.goto(url if url.startswith("http") else base + url)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(600)  # charts animate in
    page.screenshot(path=str(out / f"{name}.png"), full_page=True)
    print(out / f"{name}.png")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="screenshots")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--languages", default=",".join(LANGUAGES))
    parser.add_argument("--sizes", default=",".join(SIZES))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    token = portal_token(args.data_dir)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium)
        for size in args.sizes.split(","):
            width, height = SIZES[size]
            for lang in args.languages.split(","):
                for role in ROLES:
                    context = browser.new_context(viewport={"width": width, "height": height})
                    context.add_cookies([{"name": "estatedesk_language", "value": lang, "url": args.base}])
                    page = context.new_page()
                    sign_in(page, args.base, role)
                    tag = f"{lang}-{size}-{role}"
                    shoot(page, args.base, "/", out, f"{tag}-home")
                    if role == "handler_a":
                        shoot(page, args.base, "/complaints/", out, f"{tag}-list")
                        link = first_link(page, args.base, "/complaints/", r"/complaints/\d+/")
                        if link:
                            shoot(page, args.base, link, out, f"{tag}-detail")
                    if role == "deputy_gm":
                        link = first_link(page, args.base, "/complaints/slips/", r"/complaints/slips/\d+/")
                        if link:
                            shoot(page, args.base, link, out, f"{tag}-slip")
                        shoot(page, args.base, "/reports/dashboard/", out, f"{tag}-dashboard")
                        link = first_link(page, args.base, "/reports/monthly/", r"/reports/monthly/\d+/")
                        if link:
                            shoot(page, args.base, link, out, f"{tag}-monthly")
                        link = first_link(page, args.base, "/improvement/", r"/improvement/\d+/")
                        if link:
                            shoot(page, args.base, link, out, f"{tag}-action")
                    context.close()
                if token:
                    context = browser.new_context(viewport={"width": width, "height": height})
                    page = context.new_page()
                    shoot(page, args.base, f"/r/c/{token}/?lang={lang}", out, f"{lang}-{size}-portal-status")
                    context.close()
        browser.close()


if __name__ == "__main__":
    main()
