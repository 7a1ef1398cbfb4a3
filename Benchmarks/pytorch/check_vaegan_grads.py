#!/usr/bin/env python3
"""Checks that VAEGANTrainer.step gives each network exactly the gradient
the brief asks for, by recomputing every gradient separately with
torch.autograd.grad from the same random draws.

    python3 check_vaegan_grads.py      # prints max abs differences, exits 1 on mismatch
"""

import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402
import train  # noqa: E402


class _Args:
    gamma = 0.37  # anything but 1, so a missing gamma shows
    vaegan_beta1 = 0.9


def reference_grads(model, x, gamma, seed):
    torch.manual_seed(seed)
    n = x.shape[0]
    mu, logvar = model.encode(x)
    z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
    x_rec = model.decode(z)
    x_p = model.decode(torch.randn(n, model.latent))
    logit_real, feat_real = model.discriminate(x)
    logit_fake, _ = model.discriminate(x_p)
    _, feat_rec = model.discriminate(x_rec)
    ones, zeros = torch.ones(n), torch.zeros(n)
    l_prior = models.kl_to_standard_normal(mu, logvar).mean()
    l_llike = 0.5 * ((feat_real - feat_rec) ** 2).sum(dim=1).mean()
    l_gan = (F.binary_cross_entropy_with_logits(logit_real, ones)
             + F.binary_cross_entropy_with_logits(logit_fake, zeros))
    l_dec_gan = F.binary_cross_entropy_with_logits(logit_fake, ones)
    enc, dec, dis = (model.encoder_parameters(), model.decoder_parameters(),
                     model.discriminator_parameters())
    g_enc = torch.autograd.grad(l_prior + l_llike, enc, retain_graph=True)
    g_dec = torch.autograd.grad(gamma * l_llike + l_dec_gan, dec, retain_graph=True)
    g_dis = torch.autograd.grad(l_gan, dis)
    return list(g_enc) + list(g_dec) + list(g_dis)


def main():
    torch.manual_seed(0)
    trainer = train.VAEGANTrainer(_Args())
    model = trainer.model
    x = torch.rand(16, 784)
    ref = reference_grads(model, x, _Args.gamma, seed=123)
    # Run the trainer's step up to (not including) the optimizer steps.
    for opt in (trainer.opt_enc, trainer.opt_dec, trainer.opt_d):
        opt.step = lambda *a, **k: None
    torch.manual_seed(123)
    trainer.step(x)
    params = (model.encoder_parameters() + model.decoder_parameters()
              + model.discriminator_parameters())
    names = {id(p): n for n, p in model.named_parameters()}
    worst = 0.0
    for p, r in zip(params, ref):
        d = (p.grad - r).abs().max().item()
        scale = r.abs().max().item() + 1e-12
        worst = max(worst, d / scale)
        print(f"{names[id(p)]:24s} max|diff| {d:.3e}  (max|ref| {scale:.3e})")
    print(f"worst relative difference {worst:.3e}")
    sys.exit(0 if worst < 1e-4 else 1)


if __name__ == "__main__":
    main()
