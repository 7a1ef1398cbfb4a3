"""Reference PyTorch models for the VAEGAN side-by-side benchmarks.

Three configurations, written to mirror the Swift+C library so that parameter
names line up one to one (``encoder.0.weight``, ``decoder.2.bias``,
``discriminator.1.weight``, ...).  Every container holds ``nn.Linear`` layers
only; activations are applied in ``forward`` so that the indices in the names
are layer indices, not positions in a Sequential with activation modules.

All layers use PyTorch's default ``nn.Linear`` initialisation.

Inputs are flattened Fashion-MNIST images, float32, pixels / 255 in [0, 1].
Every loss below is "per image, averaged over the batch": sums run over the
pixels / latent units / feature units of one image, then ``.mean()`` runs over
the batch.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

IMAGE_DIM = 784


# --------------------------------------------------------------------------
# Shared building blocks
# --------------------------------------------------------------------------

# The helpers register their layers directly on the owning module, so that
# parameter names stay flat: ``encoder.N``, ``mu``, ``logvar``, ``decoder.N``,
# ``discriminator.N``.

def _make_encoder(module, latent):
    """784 -> 512 -> 256 (ReLU), heads ``mu`` and ``logvar`` 256 -> latent."""
    module.encoder = nn.ModuleList([nn.Linear(IMAGE_DIM, 512), nn.Linear(512, 256)])
    module.mu = nn.Linear(256, latent)
    module.logvar = nn.Linear(256, latent)


def _make_decoder(module, latent):
    """latent -> 256 -> 512 (ReLU) -> 784 (logits)."""
    module.decoder = nn.ModuleList(
        [nn.Linear(latent, 256), nn.Linear(256, 512), nn.Linear(512, IMAGE_DIM)]
    )


def _encode(module, x):
    h = F.relu(module.encoder[0](x))
    h = F.relu(module.encoder[1](h))
    return module.mu(h), module.logvar(h)


def _decode_logits(module, z):
    h = F.relu(module.decoder[0](z))
    h = F.relu(module.decoder[1](h))
    return module.decoder[2](h)


def _reparameterize(mu, logvar):
    std = torch.exp(0.5 * logvar)
    return mu + std * torch.randn_like(std)


def kl_to_standard_normal(mu, logvar):
    """KL(N(mu, diag exp(logvar)) || N(0, I)), summed over latent units.
    Returns one value per image (shape [batch])."""
    return -0.5 * torch.sum(1.0 + logvar - mu * mu - torch.exp(logvar), dim=1)


def _make_discriminator(module):
    """784 -> 512 -> 256 (LeakyReLU 0.2) -> 1 logit.

    The 256-unit hidden layer, after its LeakyReLU, is the feature layer
    Dis_l used by the VAE-GAN's learned similarity.
    """
    module.discriminator = nn.ModuleList(
        [nn.Linear(IMAGE_DIM, 512), nn.Linear(512, 256), nn.Linear(256, 1)]
    )


def _discriminate(module, x):
    """Returns (logit [batch], Dis_l features [batch, 256])."""
    h = F.leaky_relu(module.discriminator[0](x), 0.2)
    f = F.leaky_relu(module.discriminator[1](h), 0.2)
    return module.discriminator[2](f).squeeze(1), f


# --------------------------------------------------------------------------
# beta-VAE
# --------------------------------------------------------------------------

class BetaVAE(nn.Module):
    """beta-VAE with a Bernoulli likelihood on [0,1] pixels (not binarized).

    loss = mean over batch of [ BCEwithLogits summed over 784 pixels
                                + beta * KL(q(z|x) || N(0, I)) ]
    beta = 1 by default (the plain VAE negative ELBO).
    """

    def __init__(self, latent=32, beta=1.0):
        super().__init__()
        self.latent = latent
        self.beta = beta
        _make_encoder(self, latent)
        _make_decoder(self, latent)

    def encode(self, x):
        return _encode(self, x)

    def decode_logits(self, z):
        return _decode_logits(self, z)

    def forward(self, x):
        mu, logvar = self.encode(x)
        z = _reparameterize(mu, logvar)
        return self.decode_logits(z), mu, logvar

    def per_image_terms(self, x):
        """(reconstruction nats [batch], KL nats [batch]) with one z sample."""
        logits, mu, logvar = self(x)
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=1)
        kl = kl_to_standard_normal(mu, logvar)
        return rec, kl

    def loss(self, x):
        rec, kl = self.per_image_terms(x)
        rec, kl = rec.mean(), kl.mean()
        return rec + self.beta * kl, {"rec": rec.item(), "kl": kl.item()}


# --------------------------------------------------------------------------
# GAN
# --------------------------------------------------------------------------

class GAN(nn.Module):
    """MLP GAN: G 64 -> 256 -> 512 (LeakyReLU 0.2) -> 784 sigmoid; D 784 -> 512 -> 256
    (LeakyReLU 0.2) -> 1 logit.

    Non-saturating loss with BCEWithLogits:
      L_D = BCE(D(x), 1) + BCE(D(G(z)), 0)      (each a mean over the batch)
      L_G = BCE(D(G(z)), 1)
    """

    def __init__(self, latent=64):
        super().__init__()
        self.latent = latent
        self.generator = nn.ModuleList(
            [nn.Linear(latent, 256), nn.Linear(256, 512), nn.Linear(512, IMAGE_DIM)]
        )
        _make_discriminator(self)

    def generate(self, z):
        h = F.leaky_relu(self.generator[0](z), 0.2)
        h = F.leaky_relu(self.generator[1](h), 0.2)
        return torch.sigmoid(self.generator[2](h))

    def discriminate(self, x):
        """Logit [batch]."""
        return _discriminate(self, x)[0]

    def generator_parameters(self):
        return list(self.generator.parameters())

    def discriminator_parameters(self):
        return list(self.discriminator.parameters())


# --------------------------------------------------------------------------
# VAE-GAN (Larsen et al. 2016)
# --------------------------------------------------------------------------

class VAEGAN(nn.Module):
    """VAE-GAN: beta-VAE encoder/decoder + the GAN's discriminator.

    The decoder's 784 outputs go through a sigmoid (images in [0,1], as the
    GAN generator) before they are shown to D.  Dis_l is D's 256-unit hidden
    layer after its LeakyReLU.

    With x~ = Dec(z), z ~ q(z|x), and x_p = Dec(z_p), z_p ~ N(0, I):
      L_prior = KL(q(z|x) || N(0, I))                        per image
      L_llike = 0.5 * sum_j (Dis_l(x)_j - Dis_l(x~)_j)^2     per image
                (Gaussian NLL with sigma = 1, constant dropped)
      L_GAN   = BCE(D(x), 1) + BCE(D(x_p), 0)
    Gradients (see ``train.py``):
      encoder       <- d(L_prior + L_llike)
      decoder       <- d(gamma * L_llike - L_GAN), with the -L_GAN term
                       implemented as the non-saturating BCE(D(x_p), 1)
      discriminator <- d(L_GAN) only
    """

    def __init__(self, latent=32, gamma=1e-2):
        super().__init__()
        self.latent = latent
        self.gamma = gamma
        _make_encoder(self, latent)
        _make_decoder(self, latent)
        _make_discriminator(self)

    def encode(self, x):
        return _encode(self, x)

    def decode(self, z):
        return torch.sigmoid(_decode_logits(self, z))

    def discriminate(self, x):
        """(logit [batch], Dis_l features [batch, 256])."""
        return _discriminate(self, x)

    def encoder_parameters(self):
        return (list(self.encoder.parameters()) + list(self.mu.parameters())
                + list(self.logvar.parameters()))

    def decoder_parameters(self):
        return list(self.decoder.parameters())

    def discriminator_parameters(self):
        return list(self.discriminator.parameters())


def build(name, **kwargs):
    if name == "vae":
        return BetaVAE(**kwargs)
    if name == "gan":
        return GAN(**kwargs)
    if name == "vaegan":
        return VAEGAN(**kwargs)
    raise ValueError(f"unknown model {name!r}")
