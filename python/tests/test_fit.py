"""Model.fit as Keras's: a History of per-epoch train and validation figures, callbacks, the
progress output (a bar on a terminal, a line per epoch otherwise), clear errors for bad
arguments, and Ctrl-C stopping at a step boundary with the model still usable."""
import io
import math
import os
import signal
import threading
import time

import numpy as np
import pytest

import vaegan
from vaegan import Callback, Model

WIDTH = 64


@pytest.fixture(scope="module")
def data():
    return np.random.default_rng(1).random((256, WIDTH), dtype=np.float32)


def small_vae(**overrides):
    settings = dict(input_width=WIDTH, latent_width=4, encoder_widths=[32], decoder_widths=[32],
                    batch_size=32, seed=3)
    settings.update(overrides)
    return Model.vae(**settings)


def test_history_has_train_and_validation_figures_per_epoch(data):
    with small_vae() as model:
        history = model.fit(data[:192], epochs=3, validation_data=data[192:], verbose=0)
        assert history.epoch == [1, 2, 3]
        assert len(history.history["loss"]) == 3 and len(history.history["val_nelbo"]) == 3
        assert all(math.isfinite(v) for v in history.history["val_kl"])
        assert history.history["loss"][-1] < history.history["loss"][0]
        assert model.history is history
        # Validation figures are evaluate()'s, which match the model's own figures for its data.
        again = model.evaluate(data[192:])
        assert again["nelbo"] == pytest.approx(history.history["val_nelbo"][-1])
        # A second fit counts on from the model's epoch.
        assert model.fit(data, epochs=1, verbose=0).epoch == [4]


def test_validation_for_every_kind(data):
    with Model.gan(input_width=WIDTH, latent_width=4, decoder_widths=[16], discriminator_widths=[16],
                   batch_size=32) as gan:
        history = gan.fit(data, epochs=1, validation_data=(data[:32], None), verbose=0)
        assert 0 < history.history["val_d_real"][0] < 1 and "d_loss" in history.history
    with Model.vaegan(input_width=WIDTH, latent_width=4, encoder_widths=[16], decoder_widths=[16],
                      discriminator_widths=[16, 8], batch_size=32) as model:
        history = model.fit(data, epochs=1, validation_data=data[:32], verbose=0)
        assert history.history["val_kl"][0] >= 0 and history.history["val_reconstruction"][0] > 0


def test_callbacks_hear_every_epoch_and_step_and_can_stop_training(data):
    events = []

    class Recorder(Callback):
        def on_train_begin(self, logs=None): events.append("begin")
        def on_epoch_begin(self, epoch, logs=None): events.append(f"epoch {epoch}")
        def on_train_batch_end(self, batch, logs=None): events.append(f"batch {batch}")
        def on_epoch_end(self, epoch, logs=None):
            events.append(f"end {epoch} {'loss' in logs}")
            if epoch == 1:
                self.model.stop_training = True
        def on_train_end(self, logs=None): events.append("end")

    with small_vae() as model:
        history = model.fit(data, epochs=5, callbacks=[Recorder()], verbose=0)
    batches = [f"batch {i}" for i in range(8)]
    assert events == ["begin", "epoch 0", *batches, "end 0 True", "epoch 1", *batches, "end 1 True", "end"]
    assert history.epoch == [1, 2]


def test_progress_output_is_a_line_per_epoch_off_a_terminal(data, capsys):
    with small_vae() as model:
        model.fit(data, epochs=2)  # verbose="auto"; pytest's stdout is not a terminal
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("Epoch 1/2 - ") and "loss: " in lines[0]


def test_progress_bar_with_verbose_1(data, capsys):
    with small_vae() as model:
        model.fit(data, epochs=1, verbose=1)
    out = capsys.readouterr().out
    assert out.startswith("Epoch 1/1\n") and "8/8 [" + "=" * 30 + "]" in out and out.endswith("\n")


def test_bad_arguments_are_type_and_value_errors(data):
    with small_vae() as model:
        for epochs, error in [(1.5, TypeError), ("3", TypeError), (True, TypeError), (None, TypeError),
                              (0, ValueError), (-2, ValueError)]:
            with pytest.raises(error, match="epochs"):
                model.fit(data, epochs=epochs)
        with pytest.raises(ValueError, match="batch_size is fixed"):
            model.fit(data, batch_size=64)
        with pytest.raises(TypeError, match="batch_size"):
            model.fit(data, batch_size=2.5)
        with pytest.raises(TypeError, match="integers"):
            model.fit((data * 255).astype(np.uint8))
        with pytest.raises(TypeError, match="real numbers"):
            model.fit(data.astype(str))
        with pytest.raises(ValueError, match="rows of 63 values"):
            model.fit(data[:, :63])
        with pytest.raises(ValueError, match="2-D"):
            model.fit(data[0])
        with pytest.raises(ValueError, match="outside"):
            model.fit(data * 3)  # the Bernoulli likelihood's range, checked by the library
        with pytest.raises(ValueError, match="verbose"):
            model.fit(data, verbose=3)
        with pytest.raises(TypeError, match="Callback"):
            model.fit(data, callbacks=[print])
        with pytest.raises(ValueError, match="validation_data"):
            model.fit(data, validation_data=data[:, :10])
        # Nothing was trained by the refused calls.
        with pytest.raises(vaegan.VAEGANError):
            model.metrics


def test_images_are_flattened(data):
    with Model.vae(latent_width=4, encoder_widths=[16], decoder_widths=[16], batch_size=16) as model:
        images = np.random.default_rng(0).random((32, 28, 28), dtype=np.float32)
        model.fit(images, epochs=1, verbose=0)
        assert model.reconstruct(images[:, None]).shape == (2 * 16, 784)


def interrupt_after(delay: float):
    def send():
        time.sleep(delay)
        os.kill(os.getpid(), signal.SIGINT)
    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


def test_ctrl_c_stops_at_a_step_boundary_and_leaves_the_model_usable(data):
    x = np.random.default_rng(2).random((2048, WIDTH), dtype=np.float32)
    steps_seen = []

    class Steps(Callback):
        def on_train_batch_end(self, batch, logs=None):
            steps_seen.append(batch)
            if len(steps_seen) == 1:
                interrupt_after(0.05)

    # The handler fit must put back: Python's default, or SIG_IGN where the test runs as a
    # background job (a non-interactive shell starts those with SIGINT ignored).
    handler_before = signal.getsignal(signal.SIGINT)
    with small_vae(batch_size=8) as model:
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            model.fit(x, epochs=1000, callbacks=[Steps()], verbose=0)
        assert time.monotonic() - started < 30  # not the 1000 epochs
        assert len(steps_seen) < 1000 * 256
        # Usable: it samples, trains and saves; the handler is restored.
        assert model.sample(2).shape == (2, WIDTH)
        model.fit(data, epochs=1, verbose=0)
        assert signal.getsignal(signal.SIGINT) is handler_before


def test_request_stop_from_another_thread(data):
    x = np.random.default_rng(3).random((4096, WIDTH), dtype=np.float32)
    with small_vae(batch_size=8) as model:
        started = threading.Event()

        class Started(Callback):
            def on_train_batch_end(self, batch, logs=None):
                started.set()

        stopper = threading.Thread(target=lambda: (started.wait(), model.request_stop()))
        stopper.start()
        with pytest.raises(KeyboardInterrupt):
            model.fit(x, epochs=1000, callbacks=[Started()], verbose=0)
        stopper.join()
        model.fit(data, epochs=1, verbose=0)  # the request was consumed


def test_a_failing_callback_stops_fit_with_its_error(data):
    class Broken(Callback):
        def on_train_batch_end(self, batch, logs=None):
            raise RuntimeError("broken callback")

    with small_vae() as model:
        with pytest.raises(RuntimeError, match="broken callback"):
            model.fit(data, epochs=3, callbacks=[Broken()], verbose=0)
        model.fit(data, epochs=1, verbose=0)


def test_fit_steps_shows_one_pass(data):
    with small_vae() as model:
        history = model.fit(data, steps=3, verbose=0)
        assert model.metrics["steps"] == 3 and history.epoch == [0]


def test_fit_removes_its_progress_callback(data):
    """After fit the handle calls no Python (a dangling ctypes callback would crash here)."""
    with small_vae() as model:
        model.fit(data, epochs=1, verbose=0)
        assert model._progress is None
        x = np.ascontiguousarray(data)
        status = vaegan._c.vg_model_train_steps(model._handle, vaegan._floats(x), x.shape[0], x.shape[1], 2)
        assert status == vaegan._lib.OK
