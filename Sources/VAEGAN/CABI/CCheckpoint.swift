// Checkpoints through the C ABI: the kind's own checkpoint()/loadTraining(from:) (found in
// ModelRegistry; weights-only files too, Checkpoint/WeightsCheckpoint.swift), plus the training position `vaegan train` writes too (the epoch and the
// shuffling generator's state), so a run can move between the tool and a C or Python caller
// in either direction.
import CVAEGAN

@c @implementation
public func vg_model_save(_ model: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> vg_status {
    cCall("vg_model_save") { () throws(VAEGANError) in
        let path = try pathArgument(path, "path")
        try HandleRegistry.withModel(model) { (model) throws(VAEGANError) in
            try model.checkpoint().write(to: path)
        }
    }
}

@c @implementation
public func vg_model_save_weights(_ model: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> vg_status {
    cCall("vg_model_save_weights") { () throws(VAEGANError) in
        let path = try pathArgument(path, "path")
        try HandleRegistry.withModel(model) { (model) throws(VAEGANError) in
            try model.training.weightsCheckpoint().write(to: path)
        }
    }
}

@c @implementation
public func vg_model_load(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ path: UnsafePointer<CChar>?) -> vg_status {
    out?.pointee = nil
    return cCall("vg_model_load") { () throws(VAEGANError) in
        let out = try nonNull(out, "out")
        let path = try pathArgument(path, "path")
        out.pointee = HandleRegistry.register(try handle(from: try SafeTensorsFile.read(from: path), path: path))
    }
}

@c @implementation
public func vg_model_load_averaged(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                   _ path: UnsafePointer<CChar>?) -> vg_status {
    out?.pointee = nil
    return cCall("vg_model_load_averaged") { () throws(VAEGANError) in
        let out = try nonNull(out, "out")
        let path = try pathArgument(path, "path")
        let file = try SafeTensorsFile.read(from: path)
        let kind = try ModelRegistry.kind(of: file) // an unknown kind fails as vg_model_load does
        guard file.hasAveragedWeights else {
            let why = kind.kind == VAETraining.kind ? "a β-VAE has none" : "trained without --ema-decay"
            throw .invalidArgument("\(path) keeps no averaged weights (\(why)): use vg_model_load")
        }
        let model = try handle(from: file.withAveragedWeights(), path: path)
        // The average with its re-estimated statistics as `vaegan sample` loads it. Not
        // re-estimated on the handle itself: its capacity is the file's batch size, and below
        // reestimationBatchRows the batches of z, and so the statistics, would differ. Its
        // tensors (the same weights, the new statistics) are copied over.
        let sampler = try TrainedModel.load(file, named: path, batchCapacity: reestimationBatchRows,
                                            weights: .ema).model
        for (target, source) in zip(model.training.generativeModel.namedTensors, sampler.namedTensors) {
            precondition(target.name == source.name && target.value.count == source.value.count,
                         "vg_model_load_averaged: \(target.name) against \(source.name)")
            target.value.pointer.update(from: source.value.pointer, count: source.value.count)
        }
        out.pointee = HandleRegistry.register(model)
    }
}

/// A handle around `file`'s model and training state, with the position `vaegan train` saved.
private func handle(from file: SafeTensorsFile, path: String) throws(VAEGANError) -> CModel {
    // A weights-only file gets fresh training state; it has no position either.
    let training = try ModelRegistry.kind(of: file).loadTraining(from: file).training
    // Checkpoints written by the library alone have neither entry: start both afresh. An
    // entry that is there must parse: a bad one is a damaged file, not epoch 0.
    let epoch = file.metadata["epoch"] == nil ? 0 : try file.integer("epoch")
    guard epoch >= 0 else { throw .format("\(path): metadata epoch \(epoch) is negative") }
    var loaderRNG = RandomGenerator(seed: 1)
    if file.metadata["loader_rng"] != nil { try file.restore(&loaderRNG, key: "loader_rng") }
    return try CModel(training, position: TrainingPosition(epoch: epoch, loaderRNG: loaderRNG))
}
