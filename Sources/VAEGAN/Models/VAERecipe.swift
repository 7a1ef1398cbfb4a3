// VAERecipe: named β-VAE training configurations with the epochs they run for, for the
// binarized-MNIST likelihood benchmark (`vaegan train --preset NAME`; flags given beside a
// preset override it). Their networks are tanh MLPs with one stochastic layer of 50 units.

/// A β-VAE configuration and its length, as published or as measured here.
public enum VAERecipe: String, CaseIterable, Sendable {
    /// Burda et al. 2015 (IWAE), one stochastic layer: 784-200-200-50 tanh both ways, Bernoulli,
    /// the IWAE bound with K = 5, Adam 1e-3 (the paper's ε = 1e-4 is not reproduced: ours is
    /// 1e-8), batch 20, the stepped schedule over 3^(i−1) epochs for i = 1…8 (3,280 epochs).
    /// The paper reports 85.54 nats for it (86.76 for the ELBO, --objective elbo).
    case iwaePaper = "iwae-paper"
    /// What reached the lowest test NLL in an hour of one core here (pilot runs of about five
    /// minutes each, in Benchmarks/README.md): wider layers (500-500) learn more per minute than
    /// the paper's 200-200 once the first minutes are past, batch 100 keeps the GEMMs efficient,
    /// K = 5 with DReG, and cosine decay over the 130 epochs that fit in the hour.
    case mnistHour = "mnist-hour"

    public var summary: String {
        switch self {
        case .iwaePaper: "Burda et al. 2015's MNIST model: 784-200-200-50 tanh, IWAE K=5, batch 20, stepped schedule, 3280 epochs"
        case .mnistHour: "784-500-500-50 tanh, IWAE K=5 with DReG, batch 100, cosine decay from 1e-3, 130 epochs: about an hour on one core"
        }
    }

    /// The configuration, data width 784.
    public var configuration: VAETrainingConfiguration {
        let (hidden, doublyReparameterized, batchSize, schedule): ([Int], Bool, Int, LearningRateSchedule) =
            switch self {
            case .iwaePaper: ([200, 200], false, 20, .stepped)
            case .mnistHour: ([500, 500], true, 100, .cosine)
            }
        var c = VAETrainingConfiguration()
        c.model.useTanhMLPs(hidden: hidden, latentWidth: 50)
        c.model.objective = .importanceWeighted(samples: 5, doublyReparameterized: doublyReparameterized)
        c.batchSize = batchSize
        c.learningRate = 1e-3
        c.learningRateSchedule = schedule
        c.scheduleEpochs = epochs
        return c
    }

    /// Epochs the recipe trains for (and its schedule spans).
    public var epochs: Int {
        switch self {
        case .iwaePaper: 3280
        case .mnistHour: 130
        }
    }
}

extension VAEConfiguration {
    /// Encoder 784 → `hidden` and decoder latent → reversed `hidden` → 784, tanh between layers
    /// (the likelihood papers' networks; ReLU is the widths' default).
    public mutating func useTanhMLPs(hidden: [Int], latentWidth: Int) {
        self.latentWidth = latentWidth
        encoderWidths = hidden
        decoderWidths = hidden.reversed()
        encoderSpec = .mlp(input: inputWidth, widths: hidden, hidden: .tanh, output: .tanh)
        decoderSpec = .mlp(input: latentWidth, widths: decoderWidths + [inputWidth], hidden: .tanh, output: .identity)
    }
}
