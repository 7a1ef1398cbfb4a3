// Training through the C ABI: the caller's matrix becomes an ImageDataset (one copy per call),
// a BatchLoader draws shuffled batches from it with the handle's own generator, and the one
// training loop (TrainingLoop) runs with no observers: a library call writes no files, draws
// no pictures and prints nothing (its one possible observer is the caller's progress callback,
// CStopping.swift). vg_metrics is filled from the kind's typed metrics.
import CVAEGAN

@c @implementation
public func vg_model_train(_ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ rows: Int64, _ features: Int64,
                          _ epochs: Int64) -> vg_status {
    train("vg_model_train", model, x, rows: rows, features: features, count: epochs, "epochs") { .epochs($0) }
}

@c @implementation
public func vg_model_train_steps(_ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ rows: Int64, _ features: Int64,
                                _ steps: Int64) -> vg_status {
    train("vg_model_train_steps", model, x, rows: rows, features: features, count: steps, "steps") { .steps($0) }
}

/// Both training calls: the handle, the caller's rows and a positive count of `length`.
private func train(_ function: StaticString, _ model: OpaquePointer?, _ x: UnsafePointer<Float>?, rows: Int64, features: Int64,
                   count: Int64, _ countName: String, length: (Int) -> CModel.Length) -> vg_status {
    cCall(function) { () throws(VAEGANError) in
        try HandleRegistry.withModel(model) { (model) throws(VAEGANError) in
            let data = try trainingData(for: model, x, rows: rows, features: features)
            try model.train(on: data, length: length(try positive(count, countName)))
        }
    }
}

@c @implementation
public func vg_model_last_metrics(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<vg_metrics>?) -> vg_status {
    cCall("vg_model_last_metrics") { () throws(VAEGANError) in
        let out = try nonNull(out, "out")
        try requireMetricsSize(out)
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
    if let (range, reason) = model.training.dataRange {
        try requireValues(x, count: count, columns: width, in: range, "x", because: reason)
    }
    // A copy the library allocates fallibly: rows that do not fit are .outOfMemory.
    let values = try HeapBuffer(copying: UnsafeBufferPointer(start: x, count: count))
    return ImageDataset(count: rowCount, rows: 1, columns: width, pixels: .floatBuffer(values))
}

extension CModel {
    /// How much one training call trains.
    enum Length {
        /// Epochs over the data, each evaluated on it (vg_model_train).
        case epochs(Int)
        /// Steps over shuffled passes, not counted as epochs nor evaluated (vg_model_train_steps).
        case steps(Int)
    }

    /// Trains on `data`; the figures of the last epoch (or of the steps) become `lastMetrics`.
    func train(on data: ImageDataset, length: Length) throws(VAEGANError) {
        let loader = try BatchLoader(data, batchSize: batchCapacity)
        loader.rng = loaderRNG
        defer { loaderRNG = loader.rng }
        try training.run(on: data, loader: loader, length: length, handle: self)
    }
}

extension GenerativeTraining {
    /// The loop over `loader` for a handle: its epoch count and figures kept up to date.
    fileprivate func run(on data: ImageDataset, loader: BatchLoader, length: CModel.Length, handle: CModel)
        throws(VAEGANError)
    {
        // Before the first step, the β-VAE's warm-up learns the epoch length from the first
        // call's rows (vaegan.h says so).
        try prepare(stepsPerEpoch: loader.batchesPerEpoch)
        let loop = try TrainingLoop(model: self, loader: loader, epoch: handle.epoch)
        // The progress callback (if any) hears every step; a stop request or its vote ends the
        // call before the next one (CStopping.swift).
        let progress: ProgressCallbackObserver?
        switch length {
        case .epochs: progress = handle.progressObserver(steps: loader.batchesPerEpoch, countsEpochs: true)
        case .steps(let count): progress = handle.progressObserver(steps: count, countsEpochs: false)
        }
        loop.observers = progress.map { [$0] } ?? []
        loop.shouldStop = { handle.shouldStop(progress) }
        switch length {
        case .epochs(let count):
            // One epoch per run, so a failure keeps the epochs and figures finished before it.
            for _ in 0..<count {
                let report = try loop.run(through: loop.epoch + 1, test: data)[0]
                handle.epoch = loop.epoch
                handle.lastMetrics = metrics(report, handle: handle)
            }
        case .steps(let count):
            handle.lastMetrics = metrics(try loop.run(steps: count), handle: handle)
        }
    }

    /// The report's typed figures in a vg_metrics (what the kind does not have is NaN).
    private func metrics(_ report: EpochReport<Metrics>, handle: CModel) -> vg_metrics {
        var metrics = vg_metrics.unset
        metrics.kind = Int32(bitPattern: Self.cKind.rawValue)
        metrics.epoch = Int64(handle.epoch)
        metrics.steps = Int64(stepCount)
        metrics.loss = report.meanLoss
        report.metrics.write(into: &metrics)
        return metrics
    }
}

extension vg_metrics {
    /// This library's size, every figure NaN: what a kind does not set stays "not had".
    static var unset: vg_metrics {
        var m = vg_metrics()
        m.size = Int64(MemoryLayout<vg_metrics>.size)
        m.loss = .nan
        m.reconstruction = .nan
        m.kl = .nan
        m.beta = .nan
        m.eval_nelbo = .nan
        m.eval_reconstruction = .nan
        m.eval_kl = .nan
        m.active_units = .nan
        m.d_loss = .nan
        m.g_loss = .nan
        m.d_real = .nan
        m.d_fake = .nan
        m.prior = .nan
        m.llike = .nan
        m.gan = .nan
        m.d_skips = .nan
        m.decoder_skips = .nan
        return m
    }
}
