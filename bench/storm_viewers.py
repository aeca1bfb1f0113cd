"""The vote storm's viewers (bench/live_vote_storm.py): on the voting client's own
loop (``Watchers``), or in processes of their own (``ViewerProcesses``), with the
same interface.

A viewer that shares the voting client's event loop can measure the client, not the
server: when a tally frame reaches 1,000 sockets at once, reading them takes the loop
tens of milliseconds, and every vote answered meanwhile waits to be timed, as does the
last viewer's frame. In production the viewers are a thousand browsers. So each
process holds its share of the sockets on its own loop and keeps, per viewer and idea,
the increasing counts seen and when (``time.monotonic``: one clock for every process
on the machine); the bench asks it, at the end, when its viewers first saw each vote's
count. Not a benchmark on its own.
"""

import asyncio
import bisect
import json
import multiprocessing
import time

from bench import live_common as lc


class Watchers:
    """Viewer sockets on this loop; each keeps, per idea, the increasing counts seen
    and when. Open with ``await Watchers.open(targets, idea_ids)``."""

    def __init__(self, sockets, idea_ids, connect_s: float):
        self.sockets = sockets
        self.connect_s = connect_s
        n = len(sockets)
        self.values = [{i: [] for i in idea_ids} for _ in range(n)]
        self.times = [{i: [] for i in idea_ids} for _ in range(n)]
        self.latest = [dict.fromkeys(idea_ids, 0) for _ in range(n)]
        self.frames = [0] * n
        self.tally_frames = [0] * n
        self.hello = [False] * n
        self.counting = False
        self.closed = 0
        loop = asyncio.get_running_loop()
        self.tasks = [
            loop.create_task(self._read(k, ws)) for k, ws in enumerate(sockets)
        ]

    @classmethod
    async def open(cls, targets, idea_ids) -> "Watchers":
        """Open a socket per (url, session key, origin) and wait for their greetings
        (at most 2 minutes: ``hello_missing`` says how many never came)."""
        sockets, connect_s = await lc.connect_many(targets)
        watchers = cls(sockets, idea_ids, connect_s)
        deadline = time.monotonic() + 120
        while not all(watchers.hello) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return watchers

    @property
    def hello_missing(self) -> int:
        return self.hello.count(False)

    async def _read(self, k, ws):
        values, times, latest = self.values[k], self.times[k], self.latest[k]
        try:
            async for frame in ws:
                now = time.monotonic()  # one clock for every process
                if self.counting:
                    self.frames[k] += 1
                message = json.loads(frame)
                kind = message.get("type")
                if kind == "tallies":
                    if self.counting:
                        self.tally_frames[k] += 1
                    for item in message["items"]:
                        if item["kind"] != "idea" or item["id"] not in latest:
                            continue
                        idea, support = item["id"], item["support"]
                        if support > latest[idea]:
                            latest[idea] = support
                            values[idea].append(support)
                            times[idea].append(now)
                elif kind == "hello":
                    self.hello[k] = True
        except Exception:  # noqa: BLE001
            pass
        self.closed += 1

    async def count_frames(self, on: bool) -> None:
        self.counting = on

    async def disagreeing(self, expected: dict, timeout: float) -> int:
        """Viewers whose counts still differ from ``expected`` after up to ``timeout``."""
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            if all(w == expected for w in self.latest):
                break
            await asyncio.sleep(0.1)
        return sum(1 for w in self.latest if w != expected)

    async def seen(self, votes) -> tuple[list[float | None], dict]:
        """For each vote (idea, count): the moment the last viewer first saw a count
        at least that high, or None if one never did; and the frames counted."""
        out = []
        for idea, count in votes:
            worst = 0.0
            for k in range(len(self.sockets)):
                seen = self._first_seen(k, idea, count)
                if seen is None:
                    worst = None
                    break
                worst = max(worst, seen)
            out.append(worst)
        frames = {
            "viewers": len(self.sockets),
            "frames": sum(self.frames),
            "tally_frames": sum(self.tally_frames),
            "closed": self.closed,
        }
        return out, frames

    def _first_seen(self, k: int, idea: int, count: int) -> float | None:
        values = self.values[k][idea]
        j = bisect.bisect_left(values, count)
        return self.times[k][idea][j] if j < len(values) else None

    def pids(self) -> set[int]:
        return set()  # this process's: counted as the client already

    def stop(self) -> None:
        lc.abort_all(self.sockets, self.tasks)


def _serve(conn, targets, idea_ids) -> None:
    """A viewer process: open the sockets, then answer the bench's requests by
    calling the ``Watchers`` method they name."""
    lc.raise_fd_limit()
    lc.install_uvloop()

    async def main():
        loop = asyncio.get_running_loop()
        watchers = await Watchers.open(targets, idea_ids)
        conn.send((watchers.connect_s, watchers.hello_missing))
        while True:
            method, args = await loop.run_in_executor(None, conn.recv)
            if method == "stop":
                watchers.stop()
                conn.send(None)
                return
            conn.send(await getattr(watchers, method)(*args))

    asyncio.run(main())


class ViewerProcesses:
    """``Watchers`` in ``processes`` processes, sharing ``targets`` between them. Open
    with ``await ViewerProcesses.open(targets, idea_ids, processes)``."""

    def __init__(self, targets, idea_ids, processes: int):
        context = multiprocessing.get_context("spawn")  # no Django, no loop inherited
        self.pipes, self.processes = [], []
        for p in range(processes):
            parent, child = context.Pipe()
            process = context.Process(
                target=_serve, args=(child, targets[p::processes], idea_ids)
            )
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    @classmethod
    async def open(cls, targets, idea_ids, processes: int) -> "ViewerProcesses":
        viewers = cls(targets, idea_ids, processes)
        ready = await asyncio.to_thread(lambda: [pipe.recv() for pipe in viewers.pipes])
        viewers.connect_s = max(connect_s for connect_s, _ in ready)
        viewers.hello_missing = sum(missing for _, missing in ready)
        return viewers

    async def _ask(self, method: str, *args) -> list:
        def ask():
            for pipe in self.pipes:
                pipe.send((method, args))
            return [pipe.recv() for pipe in self.pipes]

        return await asyncio.to_thread(ask)

    async def count_frames(self, on: bool) -> None:
        await self._ask("count_frames", on)

    async def disagreeing(self, expected: dict, timeout: float) -> int:
        return sum(await self._ask("disagreeing", expected, timeout))

    async def seen(self, votes) -> tuple[list[float | None], dict]:
        answers = await self._ask("seen", votes)
        worst = [
            None if None in per_process else max(per_process)
            for per_process in zip(*(seen for seen, _ in answers), strict=True)
        ]
        frames = {key: sum(f[key] for _, f in answers) for key in answers[0][1]}
        return worst, frames

    def pids(self) -> set[int]:
        return {process.pid for process in self.processes}

    def stop(self) -> None:
        for pipe in self.pipes:
            try:
                pipe.send(("stop", ()))
            except OSError:
                pass
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
