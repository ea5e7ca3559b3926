"""The static page: one HTML file with its CSS, script and data inline, so it opens offline."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from importlib import resources
from typing import Any

# Inside <script>, "</script>" or "<!--" in a string would end or change the element: JSON's own
# \u escapes keep the data inert wherever it is embedded.
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_PLACEHOLDER = re.compile(r"\{\{([A-Z]+)\}\}")

# The page's one script, in parts under assets/js named for what they hold. Joined in this order they are
# one function body (the first part opens it, the last closes and runs it), so the parts share one scope
# and the page one script, allowed by one hash. Each part opens with a header for the reader of that file
# (what it holds and what it relies on), "//" lines and a blank line, which the page leaves out.
SCRIPT_PARTS = (
    "state.js",
    "helpers.js",
    "hash.js",
    "table.js",
    "selection.js",
    "main-table.js",
    "search.js",
    "points.js",
    "cost-plots.js",
    "compare.js",
    "plots.js",
    "curves.js",
    "detail.js",
    "downloads.js",
    "controls.js",
)
_PART_HEADER = re.compile(r"(?://[^\n]*\n)+\n")


def asset(*path: str) -> str:
    """A file from the package's assets folder."""
    return resources.files("harness.leaderboard").joinpath("assets", *path).read_text(encoding="utf-8")


def _script_part(name: str) -> str:
    """One part of the page's script, without its header."""
    text = asset("js", name)
    header = _PART_HEADER.match(text)
    if not header:
        raise ValueError(f"assets/js/{name} must open with '//' lines saying what it holds, then a blank line")
    if "</script" in text.lower():
        raise ValueError(f"assets/js/{name} must not contain '</script'")
    return text[header.end() :]


def page_script() -> str:
    """The page's script: its parts joined in order, none of which may end the script element."""
    script = "".join(_script_part(name) for name in SCRIPT_PARTS)
    if "</script" in script.lower():  # across a join, should a part not end with a newline
        raise ValueError("the joined script must not contain '</script'")
    return script


def script_json(data: Any) -> str:
    """JSON that is safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def render_page(payload: dict[str, Any]) -> str:
    """The whole page. Data goes in only as escaped JSON; the script renders it with textContent."""
    script = page_script()
    # only this exact script may run, and nothing may be fetched: the page works offline or not at all
    policy = (
        f"default-src 'none'; script-src '{_sha256(script)}'; style-src 'unsafe-inline'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    values = {
        "TITLE": html.escape(str(payload.get("title", "Leaderboard"))),
        "POLICY": html.escape(policy),
        "STYLE": asset("page.css"),
        "DATA": script_json(payload),
        "SCRIPT": script,
    }
    # one pass, so text inside an inserted value is never taken for a placeholder
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], asset("page.html"))
