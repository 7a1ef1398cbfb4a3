// Checkpoints through the C ABI: the training adapters' own checkpoint()/load(from:), plus the
// two entries `vaegan train` adds (the epoch and the shuffling generator's state), so a run
// can move between the tool and a C or Python caller in either direction.
import CVAEGAN

@c @implementation
public func vg_model_save(_ model: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> vg_status {
    cCall("vg_model_save") { () throws(VAEGANError) in
        let path = try pathArgument(path, "path")
        try HandleRegistry.withModel(model) { (model) throws(VAEGANError) in
            var file = model.trainable.checkpoint()
            file.metadata["epoch"] = String(model.epoch)
            file.metadata["loader_rng"] = model.loaderRNG.stateWords.map(String.init).joined(separator: ",")
            try file.write(to: path)
        }
    }
}

@c @implementation
public func vg_model_load(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ path: UnsafePointer<CChar>?) -> vg_status {
    out?.pointee = nil
    return cCall("vg_model_load") { () throws(VAEGANError) in
        let out = try nonNull(out, "out")
        let path = try pathArgument(path, "path")
        let file = try SafeTensorsFile.read(from: path)
        let network: CModel.Network
        switch try file.string("model") {
        case VAETraining.kind: network = .vae(try VAETraining.load(from: file))
        case GANTraining.kind: network = .gan(try GANTraining.load(from: file))
        case VAEGANTraining.kind: network = .vaegan(try VAEGANTraining.load(from: file))
        case let other: throw .wrongModel("\(path): unknown model kind '\(other)'")
        }
        // Checkpoints written by the library alone have neither entry: start both afresh.
        let epoch = file.metadata["epoch"].flatMap { Int($0) } ?? 0
        var loaderRNG = RandomGenerator(seed: 1)
        if file.metadata["loader_rng"] != nil { try file.restore(&loaderRNG, key: "loader_rng") }
        try require(epoch >= 0, "\(path): epoch \(epoch) is negative")
        out.pointee = HandleRegistry.register(CModel(network, loaderRNG: loaderRNG, epoch: epoch))
    }
}
