// Presets: the reference networks by name — today's MLPs and the convolutional networks of the
// 28×28 anchors (the classic DCGAN; Keras's and pythae's conv VAEs) — as specs, written exactly
// as their layer lists so other frameworks can rebuild them from the names and shapes in a
// checkpoint.

/// The reference architectures a model kind can be built with.
public enum ArchitecturePreset: String, CaseIterable, Sendable {
    /// Multilayer perceptrons (the reference configurations' widths).
    case mlp
    /// Convolutional networks for 1 × 28 × 28 images.
    case conv
}

extension NetworkSpec {
    /// The DCGAN generator for 28×28: z → Linear(z, 128·7·7) → BatchNorm1d → ReLU → (128, 7, 7)
    /// → ConvTranspose2d(128, 64, k4 s2 p1) → BatchNorm2d → ReLU → ConvTranspose2d(64, 1, k4 s2 p1)
    /// → `output` (sigmoid for images in [0, 1]).
    public static func dcganGenerator(latentWidth: Int = 64, output: Activation = .sigmoid) -> NetworkSpec {
        NetworkSpec(input: [latentWidth], layers: [
            .dense(width: 128 * 7 * 7),
            .batchNorm(),
            .activation(.relu),
            .reshape([128, 7, 7]),
            .convTranspose2d(channels: 64, kernel: 4, stride: 2, padding: 1),
            .batchNorm(),
            .activation(.relu),
            .convTranspose2d(channels: 1, kernel: 4, stride: 2, padding: 1, activation: output),
        ])
    }

    /// The DCGAN discriminator for 28×28: Conv2d(1, 64, k4 s2 p1) → LeakyReLU(0.2) →
    /// Conv2d(64, 128, k4 s2 p1) → BatchNorm2d → LeakyReLU(0.2) → flatten → Linear(6272, 1), a
    /// logit. Its layer 3 (after the second block's activation) is the VAE-GAN's Dis_l.
    public static func dcganDiscriminator(slope: Float = 0.2) -> NetworkSpec {
        NetworkSpec(input: [1, 28, 28], layers: [
            .conv2d(channels: 64, kernel: 4, stride: 2, padding: 1, activation: .leakyReLU(slope: slope)),
            .conv2d(channels: 128, kernel: 4, stride: 2, padding: 1),
            .batchNorm(),
            .activation(.leakyReLU(slope: slope)),
            .flatten,
            .dense(width: 1),
        ])
    }

    /// The conv β-VAE's encoder body: Conv2d(1, 32, k4 s2 p1) → ReLU → Conv2d(32, 64, k4 s2 p1)
    /// → ReLU → flatten → Linear(3136, 256) → ReLU; the μ and log σ² heads (Linear(256, latent))
    /// belong to the model.
    public static func convEncoderBody() -> NetworkSpec {
        NetworkSpec(input: [1, 28, 28], layers: [
            .conv2d(channels: 32, kernel: 4, stride: 2, padding: 1, activation: .relu),
            .conv2d(channels: 64, kernel: 4, stride: 2, padding: 1, activation: .relu),
            .flatten,
            .dense(width: 256, activation: .relu),
        ])
    }

    /// The conv β-VAE's decoder: Linear(latent, 256) → ReLU → Linear(256, 3136) → ReLU →
    /// (64, 7, 7) → ConvTranspose2d(64, 32, k4 s2 p1) → ReLU → ConvTranspose2d(32, 1, k4 s2 p1) →
    /// `output` (identity: Bernoulli logits).
    public static func convDecoder(latentWidth: Int = 32, output: Activation = .identity) -> NetworkSpec {
        NetworkSpec(input: [latentWidth], layers: [
            .dense(width: 256, activation: .relu),
            .dense(width: 64 * 7 * 7, activation: .relu),
            .reshape([64, 7, 7]),
            .convTranspose2d(channels: 32, kernel: 4, stride: 2, padding: 1, activation: .relu),
            .convTranspose2d(channels: 1, kernel: 4, stride: 2, padding: 1, activation: output),
        ])
    }
}
