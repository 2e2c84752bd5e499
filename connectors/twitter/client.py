"""The tweepy client, pointed at the right host and never allowed to hang.

tweepy hard-codes ``https://api.twitter.com`` and sets no timeout; a transport adapter mounted on
``client.session`` fixes both without touching tweepy's module state (docs/platforms.md §1).
"""

from __future__ import annotations

from collections.abc import Mapping

import requests
import tweepy
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies

API_HOSTS = ("https://api.twitter.com", "https://api.x.com")
DEFAULT_TIMEOUT = 10.0


class RedirectingAdapter(HTTPAdapter):
    """Sends X API requests to ``base_url`` (when set) with a default timeout."""

    def __init__(self, base_url: str | None, timeout: float) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/") if base_url else None
        self.timeout = timeout

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        url = request.url or ""
        if self.base_url:
            for host in API_HOSTS:
                if url.startswith(host + "/"):
                    request.url = self.base_url + url[len(host) :]
                    # Proxies were chosen for the original host; choose again for the new one.
                    proxies = get_environ_proxies(request.url)
                    break
        return super().send(
            request,
            stream=stream,
            timeout=self.timeout if timeout is None else timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )


def build_client(
    token: str, base_url: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> tweepy.Client:
    """A client that returns raw ``requests.Response`` objects.

    Raw responses keep the rate-limit headers and let ``parse`` judge each item on its own:
    tweepy's own models reject a whole page over one bad ``created_at``.
    """
    client = tweepy.Client(
        bearer_token=token, wait_on_rate_limit=False, return_type=requests.Response
    )
    adapter = RedirectingAdapter(base_url, timeout)
    for host in API_HOSTS:
        client.session.mount(host + "/", adapter)
    return client
