// Training through the C ABI: the caller's matrix becomes an ImageDataset (one copy per call),
// a BatchLoader draws shuffled batches from it with the handle's own generator, and the
// model's Trainable adapter takes the steps. The same loop as Trainer, without what a
// library call must not do: no files, no pictures, no printing.
import CVAEGAN

@c @implementation
public func vg_model_train(_ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ rows: Int64, _ features: Int64,
                          _ epochs: Int64) -> vg_status {
    cCall("vg_model_train") { () throws(VAEGANError) in
        try HandleRegistry.withModel(model) { (model) throws(VAEGANError) in
            let data = try trainingData(for: model, x, rows: rows, features: features)
            try model.train(on: data, epochs: try positive(epochs, "epochs"))
        }
    }
}

@c @implementation
public func vg_model_train_steps(_ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ rows: Int64, _ features: Int64,
                                _ steps: Int64) -> vg_status {
    cCall("vg_model_train_steps") { () throws(VAEGANError) in
        try HandleRegistry.withModel(model) { (model) throws(VAEGANError) in
            let data = try trainingData(for: model, x, rows: rows, features: features)
            try model.train(on: data, steps: try positive(steps, "steps"))
        }
    }
}

@c @implementation
public func vg_model_last_metrics(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<vg_metrics>?) -> vg_status {
    cCall("vg_model_last_metrics") { () throws(VAEGANError) in
        let out = try nonNull(out, "out")
        // Read the size alone first: a smaller (older) struct must not be overwritten past its end.
        let size = UnsafeRawPointer(out).load(as: Int64.self)
        let expected = Int64(MemoryLayout<vg_metrics>.size)
        try require(size >= expected, "out->size is \(size), smaller than sizeof(vg_metrics) = \(expected); set it to sizeof(vg_metrics)")
        let metrics = try HandleRegistry.withModel(model) { (model) throws(VAEGANError) in
            guard let metrics = model.lastMetrics else {
                throw .state("this handle has not trained yet: call vg_model_train or vg_model_train_steps first")
            }
            return metrics
        }
        out.pointee = metrics
    }
}

/// The caller's rows checked against the model (width, finite, in range) and copied.
private func trainingData(for model: CModel, _ x: UnsafePointer<Float>?, rows: Int64, features: Int64)
    throws(VAEGANError) -> ImageDataset
{
    let x = try nonNull(x, "x")
    let rowCount = try positive(rows, "rows")
    let width = try positive(features, "features")
    try require(rowCount <= Int(Int32.max), "rows must be at most \(Int32.max), not \(rowCount)")
    guard width == model.inputWidth else {
        throw .shapeMismatch("the \(model.kindName) takes rows of \(model.inputWidth) features; x has \(width)")
    }
    let count = try product(rowCount, width, "rows × features")
    try requireFinite(x, count: count, columns: width, "x")
    if let (range, reason) = model.dataRange {
        try requireValues(x, count: count, columns: width, in: range, "x", because: reason)
    }
    let values = Array(UnsafeBufferPointer(start: x, count: count))
    return ImageDataset(count: rowCount, rows: 1, columns: width, pixels: .floats(values))
}

extension CModel {
    /// The values training data must lie in, and why; nil when any finite value will do.
    var dataRange: (ClosedRange<Float>, String)? {
        switch network {
        case .vae(let t):
            t.vae.configuration.likelihood == .bernoulli ? (0...1, "the Bernoulli likelihood needs values in [0, 1]") : nil
        case .gan(let t):
            switch t.gan.configuration.generatorOutput {
            case .sigmoid: (0...1, "the generator's sigmoid output covers [0, 1]")
            case .tanh: (-1...1, "the generator's tanh output covers [-1, 1]")
            default: nil
            }
        case .vaegan:
            (0...1, "the VAE-GAN's sigmoid decoder covers [0, 1]")
        }
    }

    /// `epochs` epochs over `data`; the figures of the last one become `lastMetrics`.
    func train(on data: ImageDataset, epochs: Int) throws(VAEGANError) {
        try prepareWarmup(rows: data.count)
        let loader = try makeLoader(data)
        defer { loaderRNG = loader.rng }
        for _ in 0..<epochs {
            trainable.startEpoch(epoch + 1)
            loader.startEpoch()
            var lossSum = 0.0, batches = 0
            while let batch = loader.nextBatch() {
                lossSum += try step(on: batch, number: batches + 1)
                batches += 1
            }
            let figures = trainable.finishEpoch(test: data)
            epoch += 1
            lastMetrics = metrics(figures, loss: lossSum / Double(batches), evaluated: true)
        }
    }

    /// `steps` steps on batches of `data`, starting a new shuffled pass whenever one ends.
    func train(on data: ImageDataset, steps: Int) throws(VAEGANError) {
        try prepareWarmup(rows: data.count)
        let loader = try makeLoader(data)
        defer { loaderRNG = loader.rng }
        trainable.startEpoch(epoch + 1)
        loader.startEpoch()
        var lossSum = 0.0
        for number in 1...steps {
            var batch = loader.nextBatch()
            if batch == nil {
                loader.startEpoch()
                batch = loader.nextBatch()
            }
            lossSum += try step(on: batch!, number: number)
        }
        // No evaluation pass: an empty "test set" leaves the eval figures out (NaN below).
        let none = ImageDataset(count: 0, rows: 1, columns: inputWidth, pixels: .floats([]))
        lastMetrics = metrics(trainable.finishEpoch(test: none), loss: lossSum / Double(steps), evaluated: false)
    }

    private func makeLoader(_ data: ImageDataset) throws(VAEGANError) -> BatchLoader {
        let loader = try BatchLoader(data, batchSize: batchCapacity)
        loader.rng = loaderRNG
        return loader
    }

    private func step(on batch: Matrix, number: Int) throws(VAEGANError) -> Double {
        do {
            return try trainable.trainStep(on: batch)
        } catch {
            throw .nonFinite("training diverged at step \(number) of this call: \(error.message)")
        }
    }

    /// The adapter's named figures in a vg_metrics; figures it does not have are NaN.
    private func metrics(_ figures: [(name: String, value: Double)], loss: Double, evaluated: Bool) -> vg_metrics {
        var m = vg_metrics()
        m.size = Int64(MemoryLayout<vg_metrics>.size)
        m.kind = Int32(kind.rawValue)
        m.epoch = Int64(epoch)
        m.steps = Int64(steps)
        m.loss = loss
        func value(_ name: String) -> Double { figures.first { $0.name == name }?.value ?? .nan }
        let isVAE = kind == VG_MODEL_VAE
        m.reconstruction = value("reconstruction")
        m.kl = value("kl")
        m.beta = value("beta")
        m.eval_nelbo = evaluated ? value("test_nelbo") : .nan
        m.eval_reconstruction = evaluated ? value("test_reconstruction") : .nan
        m.eval_kl = evaluated ? value("test_kl") : .nan
        m.active_units = evaluated && isVAE ? value("active_units") : .nan
        m.d_loss = value("d_loss")
        m.g_loss = value("g_loss")
        m.d_real = value("d_real")
        m.d_fake = value("d_fake")
        m.prior = value("prior")
        m.llike = value("llike")
        m.gan = value("gan")
        m.d_skips = value("d_skips")
        m.decoder_skips = value("decoder_skips")
        return m
    }
}
