#!/usr/bin/env python3
"""Train one reference configuration on Fashion-MNIST and time its steps.

    python3 train.py --model vae|gan|vaegan [--architecture mlp|conv] --epochs N --seed S --threads T
                     [--steps N] [--samples-npy F]

--architecture conv trains the convolutional configurations of issue 15:
the conv beta-VAE, the 28x28 DCGAN and the conv VAE-GAN (models.ConvBetaVAE, models.DCGAN,
models.ConvVAEGAN); mlp (the default) trains the MLP reference configurations as before.

Prints one line per epoch with the mean training losses, then a one-line JSON
summary (last line of stdout) with the per-step timings, peak RSS and, for
the VAE, the test negative ELBO.

What one timed "step" is: the wall time (time.perf_counter) of one whole
optimisation step on one batch of 128 -- gathering the batch's 128 rows
(shuffled indices) out of the in-memory float32 training tensor, zeroing grads, forward, backward, optimizer
step(s), and reading the scalar losses back.  The first 20 steps of the run
are warm-up and are not in the statistics.
"""

import argparse
import gzip
import json
import math
import os
import resource
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402

DATA_DIR = "/usr/share/datasets/fashion-mnist"
WARMUP_STEPS = 20


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------

def read_idx_gz(path):
    """Reads a gzip-compressed IDX file into a numpy array (uint8 data only)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file "
                         f"(magic {raw[:4].hex()})")
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != math.prod(dims):
        raise ValueError(f"{path}: expected {math.prod(dims)} values, got {data.size}")
    return data.reshape(dims)


def load_images(split, data_dir=DATA_DIR):
    """Returns float32 tensor [n, 784], pixels / 255 in [0, 1]."""
    prefix = "train" if split == "train" else "t10k"
    images = read_idx_gz(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz"))
    flat = images.reshape(images.shape[0], -1).astype(np.float32)
    flat /= 255.0  # in place: no second float32 copy of the data set
    return torch.from_numpy(flat)


# --------------------------------------------------------------------------
# Training steps
# --------------------------------------------------------------------------

def set_requires_grad(params, flag):
    for p in params:
        p.requires_grad_(flag)


class frozen_batch_norm_statistics:
    """Within the block, the module's batch norms still normalize with the batch's statistics
    (training mode) but do not update running_mean / running_var / num_batches_tracked: the
    DCGAN's D keeps its statistics bitwise fixed during G's step, as its parameters.  A no-op
    for modules without batch norm (the MLPs)."""

    def __init__(self, module):
        self.norms = [m for m in module.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]

    def __enter__(self):
        for m in self.norms:
            m.track_running_stats = False  # forward then passes no running buffers to F.batch_norm
        return self

    def __exit__(self, *exc):
        for m in self.norms:
            m.track_running_stats = True
        return False


class VAETrainer:
    def __init__(self, args):
        self.model = models.build("vae", args.architecture, latent=32, beta=args.beta)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3)

    def step(self, x):
        self.opt.zero_grad(set_to_none=True)
        rec, kl = self.model.per_image_terms(x)
        rec, kl = rec.mean(), kl.mean()
        loss = rec + self.model.beta * kl
        loss.backward()
        self.opt.step()
        return {"loss": loss.item(), "rec": rec.item(), "kl": kl.item()}


class GANTrainer:
    """k = 1: one D step, then one G step, per training step, as VAEGAN's AlternatingOptimizer
    does it (Goodfellow et al. 2014, Algorithm 1): each step draws its own z.

    D step: G(z) runs without autograd and with G's batch-norm running statistics frozen (G is
    not being trained); D sees the real and the fake batch in separate forwards (separate batch
    statistics). G step: fresh z, G(z) with autograd through D, whose parameters are frozen
    (requires_grad False, so no D weight gradients are computed that would be thrown away) and
    whose batch-norm running statistics are not updated; D stays in training mode, so its batch
    norm normalizes the fake batch with that batch's statistics. G's running statistics update
    once per step, in the G step's forward.
    """

    def __init__(self, args):
        self.model = models.build("gan", args.architecture, latent=64)
        self.g_params = self.model.generator_parameters()
        self.d_params = self.model.discriminator_parameters()
        self.opt_g = torch.optim.Adam(self.g_params, lr=2e-4, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.d_params, lr=2e-4, betas=(0.5, 0.999))

    def step(self, x):
        m = self.model
        n = x.shape[0]
        ones = torch.ones(n)
        zeros = torch.zeros(n)

        # D step: non-saturating BCE, real -> 1, fake -> 0.
        with torch.no_grad(), frozen_batch_norm_statistics(m.generator):
            fake = m.generate(torch.randn(n, m.latent))
        self.opt_d.zero_grad(set_to_none=True)
        d_loss = (F.binary_cross_entropy_with_logits(m.discriminate(x), ones)
                  + F.binary_cross_entropy_with_logits(m.discriminate(fake), zeros))
        d_loss.backward()
        self.opt_d.step()

        # G step: non-saturating, BCE(D(G(z)), 1) on fresh z.
        self.opt_g.zero_grad(set_to_none=True)
        set_requires_grad(self.d_params, False)
        fake = m.generate(torch.randn(n, m.latent))
        with frozen_batch_norm_statistics(m.discriminator):
            g_loss = F.binary_cross_entropy_with_logits(m.discriminate(fake), ones)
        g_loss.backward()
        set_requires_grad(self.d_params, True)
        self.opt_g.step()
        return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}


class VAEGANTrainer:
    """Larsen et al. (2016) VAE-GAN, three Adam optimizers (lr 3e-4, betas
    (0.9, 0.999) -- PyTorch's default; --vaegan-beta1 changes the 0.9), all updated once per step from the same forward pass
    (simultaneous update, all losses computed with the pre-step D).

      encoder       <- d(L_prior + L_llike)
      decoder       <- d(gamma * L_llike + BCE(D(Dec(z_p)), 1))
                       (non-saturating form of -L_GAN)
      discriminator <- d(L_GAN) = d(BCE(D(x), 1) + BCE(D(Dec(z_p)), 0))

    The reconstructions x~ are not shown to D as fakes (the paper also uses
    them); only prior samples Dec(z_p) are.  No equilibrium gating (the
    paper's / common implementations' rule of skipping D or decoder updates
    when D is too strong or weak) -- every step updates all three.

    How the per-network gradients are separated:
      * D(x) (real logit + Dis_l(x)) and D(Dec(z_p).detach()) are computed
        with D trainable: they give L_GAN, whose backward reaches D only.
      * Dis_l(x~) and D(Dec(z_p)) for the decoder are computed with D's
        parameters frozen, so their backward reaches the encoder/decoder
        only.  Dis_l(x) enters L_llike detached (its gradient would go to D
        only, which must not see L_llike).
      * backward(L_prior + L_llike) fills encoder grads and decoder grads of
        L_llike; the decoder grads are then multiplied by gamma; then
        backward(BCE(D(Dec(z_p)), 1) + L_GAN) adds the decoder's GAN term
        and fills D's grads.  The two graphs are disjoint.
    """

    def __init__(self, args):
        self.model = models.build("vaegan", args.architecture, latent=32, gamma=args.gamma)
        m = self.model
        self.enc_params = m.encoder_parameters()
        self.dec_params = m.decoder_parameters()
        self.d_params = m.discriminator_parameters()
        betas = (args.vaegan_beta1, 0.999)
        self.opt_enc = torch.optim.Adam(self.enc_params, lr=3e-4, betas=betas)
        self.opt_dec = torch.optim.Adam(self.dec_params, lr=3e-4, betas=betas)
        self.opt_d = torch.optim.Adam(self.d_params, lr=3e-4, betas=betas)

    def step(self, x):
        m = self.model
        n = x.shape[0]
        ones = torch.ones(n)
        zeros = torch.zeros(n)
        for opt in (self.opt_enc, self.opt_dec, self.opt_d):
            opt.zero_grad(set_to_none=True)

        mu, logvar = m.encode(x)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        x_rec = m.decode(z)
        z_p = torch.randn(n, m.latent)
        x_p = m.decode(z_p)

        # D trainable: L_GAN.
        logit_real, feat_real = m.discriminate(x)
        logit_fake_d, _ = m.discriminate(x_p.detach())
        l_gan = (F.binary_cross_entropy_with_logits(logit_real, ones)
                 + F.binary_cross_entropy_with_logits(logit_fake_d, zeros))

        # D frozen: the encoder/decoder terms.
        set_requires_grad(self.d_params, False)
        _, feat_rec = m.discriminate(x_rec)
        logit_fake_g, _ = m.discriminate(x_p)
        set_requires_grad(self.d_params, True)

        l_prior = models.kl_to_standard_normal(mu, logvar).mean()
        l_llike = 0.5 * ((feat_real.detach() - feat_rec) ** 2).sum(dim=1).mean()
        l_dec_gan = F.binary_cross_entropy_with_logits(logit_fake_g, ones)

        (l_prior + l_llike).backward()
        for p in self.dec_params:
            p.grad.mul_(m.gamma)
        (l_dec_gan + l_gan).backward()

        self.opt_enc.step()
        self.opt_dec.step()
        self.opt_d.step()
        return {"prior": l_prior.item(), "llike": l_llike.item(),
                "gan": l_gan.item(), "dec_gan": l_dec_gan.item()}


TRAINERS = {"vae": VAETrainer, "gan": GANTrainer, "vaegan": VAEGANTrainer}


# --------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------

@torch.no_grad()
def vae_test_neg_elbo(model, x_test, seed, batch=1000):
    """Negative ELBO in nats per image over the whole test set, one z sample
    per image: BCE-with-logits summed over pixels + KL, mean over images.
    The noise comes from its own generator so evaluating does not change the
    training random stream."""
    model.eval()
    g = torch.Generator().manual_seed(seed + 1_000_003)
    rec_total = 0.0
    kl_total = 0.0
    for i in range(0, x_test.shape[0], batch):
        x = x_test[i:i + batch]
        mu, logvar = model.encode(x)
        z = mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=g)
        logits = model.decode_logits(z)
        rec_total += F.binary_cross_entropy_with_logits(
            logits, x, reduction="none").sum(dim=1).double().sum().item()
        kl_total += models.kl_to_standard_normal(mu, logvar).double().sum().item()
    model.train()
    n = x_test.shape[0]
    return (rec_total + kl_total) / n, rec_total / n, kl_total / n


@torch.no_grad()
def vaegan_test_recon_mse(model, x_test, batch=1000):
    """Pixel-space MSE (per pixel) of Dec(mu(x)) on the test set -- a cheap
    sanity figure only."""
    total = 0.0
    for i in range(0, x_test.shape[0], batch):
        x = x_test[i:i + batch]
        mu, _ = model.encode(x)
        total += ((model.decode(mu) - x) ** 2).double().sum().item()
    return total / x_test.numel()


@torch.no_grad()
def draw_samples(model, count, seed):
    """Decoder (generator) outputs for z ~ N(0, I) as float32 (count, 784) in [0, 1], in
    eval() mode (batch norms use their running statistics; a sample does not depend on the
    others drawn with it)."""
    z = torch.randn(count, model.latent, generator=torch.Generator().manual_seed(seed))
    was_training = model.training
    model.eval()
    if isinstance(model, models.BetaVAE):  # also ConvBetaVAE
        images = torch.sigmoid(model.decode_logits(z))
    elif isinstance(model, models.GAN):  # also DCGAN
        images = model.generate(z)
    else:
        images = model.decode(z)
    model.train(was_training)
    return images.numpy().astype(np.float32)


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, choices=sorted(TRAINERS))
    ap.add_argument("--architecture", default="mlp", choices=["mlp", "conv"],
                    help="conv: the conv beta-VAE (vae) or the DCGAN (gan); mlp (default): the MLPs")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--steps", type=int, default=None,
                    help="stop after this many steps in total (overrides --epochs)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--beta", type=float, default=1.0, help="VAE only")
    ap.add_argument("--gamma", type=float, default=1e-2, help="VAE-GAN only")
    ap.add_argument("--vaegan-beta1", type=float, default=0.9,
                    help="VAE-GAN only: Adam beta1 of its three optimizers")
    ap.add_argument("--data-dir", default=DATA_DIR)
    ap.add_argument("--save", default=None, help="write the state_dict here (.pt)")
    ap.add_argument("--samples-npy", default=None,
                    help="write 10,000 samples from z ~ N(0, I) here (float32 (n, 784) in [0, 1]) "
                         "for `vaegan eval --samples-file`")
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    x_train = load_images("train", args.data_dir)
    x_test = load_images("test", args.data_dir)
    n_train = x_train.shape[0]
    steps_per_epoch = n_train // args.batch  # the last partial batch is dropped
    if args.steps is not None:
        total_steps = args.steps
        epochs = math.ceil(total_steps / steps_per_epoch)
    else:
        epochs = args.epochs
        total_steps = epochs * steps_per_epoch

    trainer = TRAINERS[args.model](args)
    shuffle_gen = torch.Generator().manual_seed(args.seed)

    step_ms = []
    epoch_s = []  # training time per epoch: the steps only, not the per-epoch test evaluation
    step = 0
    t_start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        t_epoch = time.perf_counter()
        perm = torch.randperm(n_train, generator=shuffle_gen)
        sums = {}
        count = 0
        for b in range(steps_per_epoch):
            if step >= total_steps:
                break
            t0 = time.perf_counter()
            x = x_train[perm[b * args.batch:(b + 1) * args.batch]]
            losses = trainer.step(x)
            t1 = time.perf_counter()
            step += 1
            if step > WARMUP_STEPS:
                step_ms.append((t1 - t0) * 1e3)
            for k, v in losses.items():
                sums[k] = sums.get(k, 0.0) + v
            count += 1
        epoch_s.append(time.perf_counter() - t_epoch)
        line = f"epoch {epoch} steps {count} seconds {epoch_s[-1]:.1f}"
        line += "".join(f" {k} {v / count:.4f}" for k, v in sums.items())
        if args.model == "vae":
            nelbo, _, _ = vae_test_neg_elbo(trainer.model, x_test, args.seed)
            line += f" test_neg_elbo {nelbo:.3f}"
        print(line, flush=True)
    wall_s = time.perf_counter() - t_start

    summary = {
        "model": args.model,
        "architecture": args.architecture,
        "torch": torch.__version__,
        "threads": args.threads,
        "batch": args.batch,
        "seed": args.seed,
        "epochs": epochs,
        "steps": step,
        "timed_steps": len(step_ms),
        "median_ms": None, "p10_ms": None, "p90_ms": None,
    }
    if step_ms:
        a = np.asarray(step_ms)
        summary["median_ms"] = round(float(np.median(a)), 3)
        summary["p10_ms"] = round(float(np.percentile(a, 10)), 3)
        summary["p90_ms"] = round(float(np.percentile(a, 90)), 3)
    summary["peak_rss_mib"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)
    summary["wall_s"] = round(wall_s, 2)
    summary["epoch_s"] = [round(s, 2) for s in epoch_s]
    if args.model == "vae":
        nelbo, rec, kl = vae_test_neg_elbo(trainer.model, x_test, args.seed)
        summary.update(beta=args.beta, test_neg_elbo=round(nelbo, 3),
                       test_rec=round(rec, 3), test_kl=round(kl, 3))
    elif args.model == "vaegan":
        summary.update(gamma=args.gamma, adam_beta1=args.vaegan_beta1,
                       test_recon_mse=round(vaegan_test_recon_mse(trainer.model, x_test), 5))
    if args.save:
        torch.save(trainer.model.state_dict(), args.save)
    if args.samples_npy:
        np.save(args.samples_npy, draw_samples(trainer.model, 10_000, args.seed))
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
