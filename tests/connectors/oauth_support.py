"""Going through a simulated consent page over real HTTP the way a browser does: load the page,
read its form, press one of its buttons, follow nothing (the callback is ours to read)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

TIMEOUT = 5


@dataclass
class ConsentPage:
    url: str
    title: str = ""
    text: str = ""  # every piece of visible text, joined by newlines
    action: str = ""
    fields: dict[str, str] = field(default_factory=dict)  # hidden inputs
    buttons: dict[str, str] = field(default_factory=dict)  # decision value -> label

    def press(self, decision: str) -> dict[str, str]:
        """Submit the form with this button; the callback's query parameters."""
        assert decision in self.buttons, f"no {decision!r} button on {self.url}"
        response = requests.post(
            urljoin(self.url, self.action),
            data={**self.fields, "decision": decision},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        return callback_params(response)


class _FormReader(HTMLParser):
    def __init__(self, page: ConsentPage) -> None:
        super().__init__()
        self.page = page
        self._in: str | None = None
        self._texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.page.action = values.get("action", "")
        elif tag == "input" and values.get("type") == "hidden":
            self.page.fields[values["name"]] = values.get("value", "")
        elif tag == "button":
            self._in = values.get("value", "")
        elif tag == "title":
            self._in = "<title>"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("button", "title"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "<title>":
            self.page.title += data
        elif self._in is not None:
            self.page.buttons[self._in] = self.page.buttons.get(self._in, "") + data
        self._texts.append(data)

    def close(self) -> None:
        super().close()
        self.page.text = "\n".join(t for t in self._texts if t.strip())


def open_consent(url: str) -> ConsentPage:
    response = requests.get(url, timeout=TIMEOUT, allow_redirects=False)
    assert response.status_code == 200, (response.status_code, response.text)
    assert response.headers["Content-Type"].startswith("text/html")
    page = ConsentPage(url=url)
    reader = _FormReader(page)
    reader.feed(response.text)
    reader.close()
    return page


def callback_params(response: requests.Response) -> dict[str, str]:
    """The platform's redirect back to the app: its query, one value per name."""
    assert response.status_code == 302, (response.status_code, response.text)
    query = urlsplit(response.headers["Location"]).query
    return {k: v[0] for k, v in parse_qs(query).items()}


def redirect_target(response: requests.Response) -> str:
    parts = urlsplit(response.headers["Location"])
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
