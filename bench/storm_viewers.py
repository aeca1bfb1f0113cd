"""Viewers of the vote storm in processes of their own (bench/live_vote_storm.py).

A viewer that shares the voting client's event loop measures the client, not the
server: when a tally frame reaches 1,000 sockets at once, reading them takes the
loop tens of milliseconds, and every vote answered meanwhile waits to be timed, as
does the last viewer's frame. In production the viewers are a thousand browsers.
So each process here holds its share of the sockets on its own loop and keeps, per
viewer and idea, the increasing counts seen and when (``time.monotonic``: one clock
for every process on the machine); the bench asks it, at the end, when its viewers
first saw each vote's count. Not a benchmark on its own.
"""

import asyncio
import bisect
import json
import multiprocessing
import time


class Watchers:
    """Viewer sockets; each keeps, per idea, the increasing counts seen and when."""

    def __init__(self, sockets, idea_ids):
        self.sockets = sockets
        self.ideas = idea_ids
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

    def total_frames(self) -> int:
        return sum(self.frames)

    def first_seen(self, k: int, idea: int, count: int) -> float | None:
        values = self.values[k][idea]
        j = bisect.bisect_left(values, count)
        return self.times[k][idea][j] if j < len(values) else None

    def stop(self):
        for task in self.tasks:
            task.cancel()
        for ws in self.sockets:
            try:
                ws.transport.abort()
            except Exception:  # noqa: BLE001
                pass


def _serve(conn, targets, idea_ids) -> None:
    """A viewer process: open the sockets, then answer the bench's requests."""
    from bench import live_common as lc

    lc.raise_fd_limit()
    lc.install_uvloop()

    async def main():
        loop = asyncio.get_running_loop()
        sockets, connect_s = await lc.connect_many(targets)
        watchers = Watchers(sockets, idea_ids)
        deadline = time.monotonic() + 120
        while not all(watchers.hello) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        conn.send(("ready", connect_s, watchers.hello.count(False)))
        while True:
            request, *args = await loop.run_in_executor(None, conn.recv)
            if request == "count":
                watchers.counting = args[0]
                conn.send(("ok",))
            elif request == "agree":  # wait until every viewer shows these counts
                expected, timeout = args
                until = time.monotonic() + timeout
                while time.monotonic() < until:
                    if all(w == expected for w in watchers.latest):
                        break
                    await asyncio.sleep(0.1)
                conn.send(("agree", sum(1 for w in watchers.latest if w != expected)))
            elif request == "seen":  # per vote: when the last of our viewers saw it
                conn.send(
                    ("seen", worst_seen(watchers, args[0]), frame_counts(watchers))
                )
            elif request == "stop":
                watchers.stop()
                conn.send(("stopped",))
                return

    asyncio.run(main())


def worst_seen(watchers, votes) -> list[float | None]:
    """For each (idea, count): the moment the last viewer first saw a count at least
    that high, or None if one never did."""
    out = []
    for idea, count in votes:
        worst = 0.0
        for k in range(len(watchers.sockets)):
            seen = watchers.first_seen(k, idea, count)
            if seen is None:
                worst = None
                break
            worst = max(worst, seen)
        out.append(worst)
    return out


def frame_counts(watchers) -> dict:
    return {
        "viewers": len(watchers.sockets),
        "frames": sum(watchers.frames),
        "tally_frames": sum(watchers.tally_frames),
        "closed": watchers.closed,
    }


class ViewerProcesses:
    """``processes`` viewer processes sharing ``targets`` (url, session key, origin)."""

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

    def _ask(self, *request) -> list:
        for pipe in self.pipes:
            pipe.send(request)
        return [pipe.recv() for pipe in self.pipes]

    def wait_ready(self) -> tuple[float, int]:
        """(seconds the slowest took to connect, viewers without a hello)."""
        answers = [pipe.recv() for pipe in self.pipes]
        return max(a[1] for a in answers), sum(a[2] for a in answers)

    def counting(self, on: bool) -> None:
        self._ask("count", on)

    def disagreeing(self, expected: dict, timeout: float) -> int:
        """Viewers whose counts still differ from ``expected`` after up to ``timeout``."""
        return sum(a[1] for a in self._ask("agree", expected, timeout))

    def seen(self, votes) -> tuple[list[float | None], dict]:
        """Per vote (idea, count), when every viewer had seen it; and frame counts."""
        answers = self._ask("seen", votes)
        worst = []
        for per_process in zip(*(a[1] for a in answers), strict=True):
            worst.append(None if None in per_process else max(per_process))
        frames = {
            key: sum(a[2][key] for a in answers) for key in answers[0][2] if answers
        }
        return worst, frames

    def stop(self) -> None:
        for pipe in self.pipes:
            try:
                pipe.send(("stop",))
            except OSError:
                pass
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
