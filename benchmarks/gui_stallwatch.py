"""What was the GUI thread doing while it did not beat? A sampling watchdog.

A heartbeat on the GUI thread stamps `beat()`; a daemon thread wakes every 2 ms and,
while the last beat is older than `threshold_ms`, samples the Python stack of every
thread (`sys._current_frames`). When the beats resume, the stall is closed with its
length and the stacks seen during it. The GUI thread's innermost project frames say
which slot, paint or model call held it; the other threads' frames say which worker
held the GIL meanwhile (a worker in a long C call that keeps the GIL stalls the GUI as
surely as a slow slot does).

Used by benchmarks/gui_responsiveness_ledger.py --stalls; also usable alone:

    watch = StallWatch(); watch.start(); ... heartbeat calls watch.beat() ...
    watch.stop(); print(watch.report())
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Stall:
    started: float
    ms: float = 0.0
    label: str = ""
    main: Counter[str] = field(default_factory=Counter)
    others: Counter[str] = field(default_factory=Counter)


def _stack(frame: object, depth: int = 6) -> str:
    """The innermost `depth` frames, project frames preferred, as one line."""
    entries = traceback.extract_stack(frame)  # type: ignore[arg-type]
    ours = [e for e in entries if "portfolioos" in e.filename or "benchmarks" in e.filename]
    chosen = (ours or entries)[-depth:]
    inner = entries[-1]
    text = " > ".join(f"{e.filename.rsplit('/', 1)[-1]}:{e.lineno} {e.name}" for e in chosen)
    if inner not in chosen:
        text += f" >> {inner.filename.rsplit('/', 1)[-1]}:{inner.lineno} {inner.name}"
    return text


class StallWatch:
    def __init__(self, threshold_ms: float = 20.0) -> None:
        self.threshold = threshold_ms / 1000
        self.main_id = threading.get_ident()
        self.last = time.perf_counter()
        self.stalls: list[Stall] = []
        self.label = ""
        self._current: Stall | None = None
        self.active = False  # between beats of a running heartbeat
        self.collections: list[tuple[str, int, float, str]] = []
        self._gc_started = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="stallwatch")

    def beat(self) -> None:
        now = time.perf_counter()
        current = self._current
        if current is not None:
            current.ms = (now - self.last) * 1000
            self.stalls.append(current)
            self._current = None
        self.last = now
        self.active = True

    def pause(self) -> None:
        """The heartbeat stopped: silence until it beats again."""
        self.active = False
        self._current = None

    def start(self) -> None:
        import gc

        self.last = time.perf_counter()
        self._thread.start()
        gc.callbacks.append(self._gc)

    def stop(self) -> None:
        import gc

        self._stop.set()
        self._thread.join(1)
        if self._gc in gc.callbacks:
            gc.callbacks.remove(self._gc)

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        """Collections run in whichever thread allocated, holding the GIL throughout."""
        if phase == "start":
            self._gc_started = time.perf_counter()
            return
        ms = (time.perf_counter() - self._gc_started) * 1000
        if ms >= 10:
            self.collections.append(
                (self.label, info.get("generation", -1), ms, threading.current_thread().name)
            )

    def _run(self) -> None:
        while not self._stop.wait(0.002):
            last = self.last
            if not self.active or time.perf_counter() - last < self.threshold:
                continue
            current = self._current
            if current is None or current.started != last:
                current = Stall(last, label=self.label)
                self._current = current
            for ident, frame in sys._current_frames().items():
                if ident == threading.get_ident():
                    continue
                text = _stack(frame)
                if ident == self.main_id:
                    current.main[text] += 1
                elif "_run (gui_stallwatch" not in text:
                    current.others[f"[{ident % 10000}] {text}"] += 1

    def report(self, min_ms: float = 40.0, top: int = 3) -> str:
        lines = []
        for stall in sorted(self.stalls, key=lambda s: -s.ms):
            if stall.ms < min_ms:
                continue
            lines.append(f"--- {stall.ms:.0f} ms stall during {stall.label or '?'}")
            for text, n in stall.main.most_common(top):
                lines.append(f"  GUI   x{n}: {text}")
            for text, n in stall.others.most_common(top):
                lines.append(f"  other x{n}: {text}")
        for label, generation, ms, thread in self.collections:
            lines.append(f"gc gen{generation} {ms:.0f} ms during {label} on {thread}")
        return "\n".join(lines) or f"no stall over {min_ms:.0f} ms"
