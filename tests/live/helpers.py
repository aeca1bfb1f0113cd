"""Clients for running servers: a signed-in browser-like HTTP client and a websocket."""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import websockets

from tests.servers import Server


class Person:
    """Someone signed in to a running server, acting over HTTP as a browser would."""

    def __init__(self, server: Server, session_key: str):
        self.server = server
        self.session_key = session_key
        self.http = httpx.Client(
            base_url=server.url, cookies={"sessionid": session_key}
        )

    def _csrf(self) -> str:
        if "csrftoken" not in self.http.cookies:
            self.http.get("/")
        return self.http.cookies["csrftoken"]

    def post(self, path: str, data: dict, **headers) -> httpx.Response:
        token = self._csrf()
        return self.http.post(
            path,
            data={**data, "csrfmiddlewaretoken": token},
            headers={"Referer": self.server.url + "/", "X-CSRFToken": token, **headers},
        )

    def vote(self, campaign, kind: str, pk: int, value: str) -> dict:
        response = self.post(
            f"/campaigns/{campaign.slug}/{kind}/{pk}/vote/",
            {"value": value},
            Accept="application/json",
        )
        assert response.status_code == 200, response.text
        return response.json()

    def socket(self, campaign, server: Server | None = None):
        server = server or self.server
        return websockets.connect(
            f"{server.ws_url}/ws/campaigns/{campaign.pk}/",
            additional_headers={
                "Cookie": f"sessionid={self.session_key}",
                "Origin": server.url,
            },
            max_size=2**20,
        )

    def close(self) -> None:
        self.http.close()


async def receive_until(ws, predicate, timeout: float = 5.0) -> list[dict]:
    """Frames received until one matches ``predicate`` (included); fails on timeout."""
    frames = []
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            frames.append(frame)
            if predicate(frame):
                return frames


def run(coroutine) -> None:
    """Run a scenario on a fresh event loop in its own thread: the browser tests'
    Playwright keeps an event loop running in the main thread for the whole session."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()
