"""Reference PyTorch models for the VAEGAN side-by-side benchmarks.

Three configurations, written to mirror the Swift+C library so that parameter
names line up one to one (``encoder.0.weight``, ``decoder.2.bias``,
``discriminator.1.weight``, ...).  Every container holds ``nn.Linear`` layers
only; activations are applied in ``forward`` so that the indices in the names
are layer indices, not positions in a Sequential with activation modules.

All layers use PyTorch's default ``nn.Linear`` initialisation.

The convolutional configurations (``--architecture conv``: ``DCGAN``,
``ConvBetaVAE``) are ``nn.Sequential`` containers named as the Swift presets
(Sources/VAEGAN/Architecture/Presets.swift) name their layers: index i is
entry i of the preset's layer list, where an activation that the preset fuses
into a Linear / Conv layer is fused here too (``Linear2``, ``Conv2dAct``,
``ConvTranspose2dAct``), and a stand-alone activation, batch norm, flatten or
reshape is an entry of its own.  So the state_dict keys are the Swift
checkpoint's names (``generator.1.running_mean``, ``discriminator.5.weight``).

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


# --------------------------------------------------------------------------
# Convolutional configurations (--architecture conv)
# --------------------------------------------------------------------------

IMAGE_SHAPE = (1, 28, 28)


class _FusedActivation:
    """Mixin: a layer followed by an activation in one Sequential entry, as the Swift presets
    fuse it (``.conv2d(..., activation: .relu)``), so the entry's index is the preset's index.
    The activation module holds no parameters, so state_dict keys are the layer's own."""

    def _set_activation(self, activation):
        self.activation = activation if activation is not None else nn.Identity()

    def forward(self, x):
        return self.activation(super().forward(x))


class LinearAct(_FusedActivation, nn.Linear):
    def __init__(self, in_features, out_features, activation=None):
        super().__init__(in_features, out_features)
        self._set_activation(activation)


class Conv2dAct(_FusedActivation, nn.Conv2d):
    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, activation=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding)
        self._set_activation(activation)


class ConvTranspose2dAct(_FusedActivation, nn.ConvTranspose2d):
    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, activation=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding)
        self._set_activation(activation)


def dcgan_generator(latent=64):
    """z -> Linear(z, 6272) -> BatchNorm1d -> ReLU -> (128, 7, 7) -> ConvTranspose2d(128, 64, k4 s2 p1)
    -> BatchNorm2d -> ReLU -> ConvTranspose2d(64, 1, k4 s2 p1) + sigmoid.  552,513 parameters."""
    return nn.Sequential(
        nn.Linear(latent, 128 * 7 * 7),                                    # 0
        nn.BatchNorm1d(128 * 7 * 7),                                       # 1
        nn.ReLU(),                                                         # 2
        nn.Unflatten(1, (128, 7, 7)),                                      # 3
        nn.ConvTranspose2d(128, 64, 4, 2, 1),                              # 4
        nn.BatchNorm2d(64),                                                # 5
        nn.ReLU(),                                                         # 6
        ConvTranspose2dAct(64, 1, 4, 2, 1, activation=nn.Sigmoid()),       # 7
    )


def dcgan_discriminator(slope=0.2):
    """Conv2d(1, 64, k4 s2 p1) + LeakyReLU(0.2) -> Conv2d(64, 128, k4 s2 p1) -> BatchNorm2d
    -> LeakyReLU(0.2) -> flatten -> Linear(6272, 1), a logit.  138,817 parameters.
    The output of entry 3 (128x7x7 = 6272 features) is the VAE-GAN's Dis_l."""
    return nn.Sequential(
        Conv2dAct(1, 64, 4, 2, 1, activation=nn.LeakyReLU(slope)),         # 0
        nn.Conv2d(64, 128, 4, 2, 1),                                       # 1
        nn.BatchNorm2d(128),                                               # 2
        nn.LeakyReLU(slope),                                               # 3
        nn.Flatten(),                                                      # 4
        nn.Linear(128 * 7 * 7, 1),                                         # 5
    )


def conv_encoder_body():
    """Conv2d(1, 32, k4 s2 p1) + ReLU -> Conv2d(32, 64, k4 s2 p1) + ReLU -> flatten
    -> Linear(3136, 256) + ReLU.  836,448 parameters (the mu / logvar heads are the model's)."""
    return nn.Sequential(
        Conv2dAct(1, 32, 4, 2, 1, activation=nn.ReLU()),                   # 0
        Conv2dAct(32, 64, 4, 2, 1, activation=nn.ReLU()),                  # 1
        nn.Flatten(),                                                      # 2
        LinearAct(64 * 7 * 7, 256, activation=nn.ReLU()),                  # 3
    )


def conv_decoder(latent=32):
    """Linear(latent, 256) + ReLU -> Linear(256, 3136) + ReLU -> (64, 7, 7)
    -> ConvTranspose2d(64, 32, k4 s2 p1) + ReLU -> ConvTranspose2d(32, 1, k4 s2 p1), logits.
    847,713 parameters."""
    return nn.Sequential(
        LinearAct(latent, 256, activation=nn.ReLU()),                      # 0
        LinearAct(256, 64 * 7 * 7, activation=nn.ReLU()),                  # 1
        nn.Unflatten(1, (64, 7, 7)),                                       # 2
        ConvTranspose2dAct(64, 32, 4, 2, 1, activation=nn.ReLU()),         # 3
        nn.ConvTranspose2d(32, 1, 4, 2, 1),                                # 4
    )


def _as_images(x):
    """[batch, 784] -> [batch, 1, 28, 28] (a view: the rows are C, H, W in order)."""
    return x.reshape(x.shape[0], *IMAGE_SHAPE)


def _make_conv_autoencoder(module, latent):
    """The conv beta-VAE's parts on `module`: ``encoder``, heads ``mu`` and ``logvar``, ``decoder``."""
    module.encoder = conv_encoder_body()
    module.mu = nn.Linear(256, latent)
    module.logvar = nn.Linear(256, latent)
    module.decoder = conv_decoder(latent)


def _conv_encode(module, x):
    h = module.encoder(_as_images(x))
    return module.mu(h), module.logvar(h)


class ConvBetaVAE(BetaVAE):
    """The conv beta-VAE: ``encoder`` = conv_encoder_body(), heads ``mu`` and ``logvar``
    Linear(256, latent), ``decoder`` = conv_decoder().  Same loss, interface and flat
    [batch, 784] inputs / logits as BetaVAE (whose forward / per_image_terms / loss it reuses)."""

    def __init__(self, latent=32, beta=1.0):
        nn.Module.__init__(self)  # not BetaVAE.__init__: that builds the MLP
        self.latent = latent
        self.beta = beta
        _make_conv_autoencoder(self, latent)

    def encode(self, x):
        return _conv_encode(self, x)

    def decode_logits(self, z):
        return self.decoder(z).flatten(1)


class DCGAN(GAN):
    """The classic 28x28 DCGAN: ``generator`` = dcgan_generator(), ``discriminator`` =
    dcgan_discriminator().  Same interface as GAN on flat [batch, 784] images; the losses are
    the same non-saturating ones (train.py's GANTrainer)."""

    def __init__(self, latent=64):
        nn.Module.__init__(self)  # not GAN.__init__: that builds the MLPs
        self.latent = latent
        self.generator = dcgan_generator(latent)
        self.discriminator = dcgan_discriminator()

    def generate(self, z):
        return self.generator(z).flatten(1)

    def discriminate(self, x):
        """Logit [batch]."""
        return self.discriminator(_as_images(x)).squeeze(1)


class ConvVAEGAN(VAEGAN):
    """The conv VAE-GAN: the conv beta-VAE's encoder and decoder (sigmoid on the decoder's
    logits, images in [0, 1]) and the DCGAN's discriminator, Dis_l = the output of its entry 3
    (the second block after its LeakyReLU, 128x7x7 = 6272 features).  Same interface as VAEGAN
    on flat [batch, 784] images."""

    def __init__(self, latent=32, gamma=1e-2):
        nn.Module.__init__(self)  # not VAEGAN.__init__: that builds the MLPs
        self.latent = latent
        self.gamma = gamma
        _make_conv_autoencoder(self, latent)
        self.discriminator = dcgan_discriminator()

    def encode(self, x):
        return _conv_encode(self, x)

    def decode(self, z):
        return torch.sigmoid(self.decoder(z).flatten(1))

    def discriminate(self, x):
        """(logit [batch], Dis_l features [batch, 6272])."""
        h = self.discriminator[:4](_as_images(x))
        features = h.flatten(1)
        return self.discriminator[5](features).squeeze(1), features


def parameter_count(module):
    return sum(p.numel() for p in module.parameters())


def build(name, architecture="mlp", **kwargs):
    classes = {"mlp": {"vae": BetaVAE, "gan": GAN, "vaegan": VAEGAN},
               "conv": {"vae": ConvBetaVAE, "gan": DCGAN, "vaegan": ConvVAEGAN}}
    if architecture not in classes:
        raise ValueError(f"unknown architecture {architecture!r}")
    if name not in classes[architecture]:
        raise ValueError(f"no model {name!r} with architecture {architecture!r}")
    return classes[architecture][name](**kwargs)


if __name__ == "__main__":
    # Shape and parameter-count check of the conv configurations against the Swift presets.
    expected = {"generator": 552_513, "discriminator": 138_817,
                "encoder body": 836_448, "decoder": 847_713}
    gan, vae = DCGAN(), ConvBetaVAE()
    parts = {"generator": gan.generator, "discriminator": gan.discriminator,
             "encoder body": vae.encoder, "decoder": vae.decoder}
    ok = True
    for name, module in parts.items():
        count = parameter_count(module)
        ok &= count == expected[name]
        print(f"{name:14} {count:9,d} parameters (expected {expected[name]:,d})")
    with torch.no_grad():
        gan.eval(), vae.eval()
        z = torch.randn(3, 64)
        h = z
        for i, layer in enumerate(gan.generator):
            h = layer(h)
            print(f"  generator.{i} {type(layer).__name__:20} -> {tuple(h.shape[1:])}")
        for i, layer in enumerate(gan.discriminator):
            h = layer(h)
            print(f"  discriminator.{i} {type(layer).__name__:16} -> {tuple(h.shape[1:])}")
        x = torch.rand(3, IMAGE_DIM)
        mu, logvar = vae.encode(x)
        logits = vae.decode_logits(mu)
        ok &= tuple(mu.shape) == (3, 32) and tuple(logits.shape) == (3, IMAGE_DIM)
        ok &= tuple(gan.discriminate(gan.generate(z)).shape) == (3,)
    for name, module in (("DCGAN", gan), ("ConvBetaVAE", vae)):
        print(name, [k for k in module.state_dict()])
    print("OK" if ok else "MISMATCH")
    raise SystemExit(0 if ok else 1)
