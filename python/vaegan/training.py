"""Model.fit's loop and what listens to it, in the shape of Keras's: Callback, History and the
progress bar (ProgressBar). Nothing here talks to the library directly; fit (in __init__.py)
calls `run_fit` with two functions, one that trains an epoch and one that evaluates.

    history = model.fit(x, epochs=5, validation_data=x_val)
    history.history["loss"]          # one value per epoch
    history.history["val_nelbo"]     # β-VAE: the validation rows' negative ELBO

Ctrl-C: while fit runs, SIGINT (when fit runs on the main thread) only sets a flag; the library's
progress callback, called after every step, sees it and stops the epoch before its next step
(vg_progress_callback returning non-zero; the library returns VG_CANCELLED). fit then finishes
the callbacks with what it has and raises KeyboardInterrupt; the model keeps every step taken
and can be trained, sampled and saved as before. `model.history` holds the finished epochs.
"""
from __future__ import annotations

import math
import signal
import sys
import threading
import time


class Callback:
    """Hooks fit calls, as Keras's keras.callbacks.Callback: override what you need. `model` is
    the Model being fitted; set `model.stop_training = True` to stop after the current epoch.
    `epoch` and `batch` are 0-based within the fit call; `logs` maps metric names to floats."""

    model = None

    def set_model(self, model) -> None:
        self.model = model

    def on_train_begin(self, logs: dict | None = None) -> None: ...
    def on_train_end(self, logs: dict | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None: ...


class History(Callback):
    """What fit returns: `history[name]` lists one value per finished epoch (train metrics by
    their vg_metrics names, validation metrics prefixed "val_"), `epoch` the model's epoch count
    after each (1-based, counting earlier fits and the checkpoint's)."""

    def __init__(self):
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = dict(logs or {})
        self.epoch.append(int(logs.pop("epoch", epoch + 1)))
        for name, value in logs.items():
            self.history.setdefault(name, []).append(value)

    def __repr__(self) -> str:
        return f"<vaegan.History: {len(self.epoch)} epochs, {', '.join(self.history)}>"


def _format(logs: dict) -> str:
    return " - ".join(f"{name}: {value:.4g}" for name, value in logs.items() if name != "epoch")


class ProgressBar(Callback):
    """verbose=1: a bar per epoch, redrawn in place (at most 10 times a second); verbose=2: one
    line per epoch. Writes to `stream` (default sys.stdout)."""

    def __init__(self, epochs: int, verbose: int, stream=None):
        self.epochs, self.verbose = epochs, verbose
        self.stream = stream or sys.stdout
        self.started = self.drawn = 0.0
        self.steps = 0

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.started = time.monotonic()
        if self.verbose == 1:
            self._write(f"Epoch {epoch + 1}/{self.epochs}\n")

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.verbose != 1:
            return
        logs = logs or {}
        now = time.monotonic()
        step, steps = batch + 1, logs.get("steps", batch + 1)
        self.steps = steps
        if step < steps and now - self.drawn < 0.1:
            return
        self.drawn = now
        done = int(30 * step / max(steps, 1))
        bar = "=" * max(done - 1, 0) + (">" if done < 30 else "=") + "." * (30 - done)
        elapsed = now - self.started
        eta = elapsed / step * (steps - step)
        width = len(str(steps))
        self._write(f"\r{step:{width}d}/{steps} [{bar}] - ETA: {eta:.0f}s - loss: {logs.get('loss', math.nan):.4g}")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        seconds = time.monotonic() - self.started
        if self.verbose == 1:
            steps = f"{self.steps}/{self.steps} [{'=' * 30}] - " if self.steps else ""
            erase = "\x1b[K" if getattr(self.stream, "isatty", lambda: False)() else ""
            self._write(f"\r{erase}{steps}{seconds:.1f}s - {_format(logs or {})}\n")
        elif self.verbose == 2:
            self._write(f"Epoch {epoch + 1}/{self.epochs} - {seconds:.1f}s - {_format(logs or {})}\n")

    def interrupted(self, epoch: int, step: int) -> None:
        if self.verbose:
            self._write(f"\ninterrupted in epoch {epoch + 1} after step {step}; the model keeps every step taken\n")


def check_count(value, name: str, minimum: int = 1) -> int:
    """`value` as an int >= minimum: TypeError for a non-integer (1.5, "3", True), ValueError
    for one below `minimum`."""
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"{name} must be an integer, not {type(value).__name__} {value!r}")
    value = value.__index__()
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
    return value


class _Interrupt:
    """SIGINT sets `requested` while installed (main thread only; elsewhere Python delivers no
    signals, so nothing is lost by not installing)."""

    def __init__(self):
        self.requested = False
        self.previous = None

    def __enter__(self) -> "_Interrupt":
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame) -> None:
        if self.requested:
            # A second Ctrl-C while the first is being honoured: the user means it.
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def run_fit(model, epochs: int, steps_per_epoch: int, train_epoch, evaluate, callbacks: list, verbose: int):
    """The loop: for each epoch, `train_epoch(on_step)` trains one epoch and returns its metrics,
    or None when it was stopped (on_step(step, loss) answers True to stop); `evaluate()` gives the
    validation metrics (already "val_" prefixed) or {}. Returns the History; raises
    KeyboardInterrupt after Ctrl-C, the history kept in model.history."""
    history = History()
    progress = ProgressBar(epochs, verbose)
    listeners = [history, progress] + list(callbacks)
    for callback in listeners:
        callback.set_model(model)
    model.stop_training = False
    model.history = history
    failure: list[BaseException] = []
    interrupted_at = None
    with _Interrupt() as interrupt:
        for callback in listeners:
            callback.on_train_begin({})
        for epoch in range(epochs):
            if interrupt.requested:
                interrupted_at = (epoch, 0)
                break
            for callback in listeners:
                callback.on_epoch_begin(epoch, {})
            last_step = [0]

            def on_step(step: int, loss: float) -> bool:
                last_step[0] = step
                try:
                    for callback in listeners:
                        callback.on_train_batch_end(step - 1, {"loss": loss, "steps": steps_per_epoch})
                except BaseException as error:  # a callback's own failure stops the epoch, then is raised
                    failure.append(error)
                    return True
                return interrupt.requested

            logs = train_epoch(on_step)
            if failure:
                raise failure[0]
            if logs is None:
                interrupted_at = (epoch, last_step[0])
                break
            logs.update(evaluate())
            for callback in listeners:
                callback.on_epoch_end(epoch, dict(logs))
            if interrupt.requested and epoch + 1 < epochs:
                interrupted_at = (epoch + 1, 0)
                break
            if model.stop_training:
                break
        for callback in listeners:
            callback.on_train_end({})
    if interrupted_at is not None:
        progress.interrupted(*interrupted_at)
        raise KeyboardInterrupt(f"fit interrupted in epoch {interrupted_at[0] + 1}; model.history holds the finished epochs")
    return history
