// Creating, freeing and describing vg_model handles.
import CVAEGAN

@c @implementation
public func vg_model_create(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ config: UnsafePointer<vg_config>?) -> vg_status {
    out?.pointee = nil
    return cCall("vg_model_create") { () throws(VAEGANError) in
        let out = try nonNull(out, "out")
        let config = try nonNull(config, "config")
        let (training, seed) = try CModel.training(from: config)
        // seed + 1 shuffles the rows, as `vaegan train --seed` does.
        let model = try CModel(training, position: TrainingPosition(epoch: 0, loaderRNG: RandomGenerator(seed: seed &+ 1)))
        out.pointee = HandleRegistry.register(model)
    }
}

@c @implementation
public func vg_model_create_with_networks(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ config: UnsafePointer<vg_config>?,
                                          _ networksJSON: UnsafePointer<CChar>?) -> vg_status {
    out?.pointee = nil
    return cCall("vg_model_create_with_networks") { () throws(VAEGANError) in
        let out = try nonNull(out, "out")
        let config = try nonNull(config, "config")
        let json = String(cString: try nonNull(networksJSON, "networks_json"))
        let (training, seed) = try CModel.training(from: config, networksJSON: json)
        let model = try CModel(training, position: TrainingPosition(epoch: 0, loaderRNG: RandomGenerator(seed: seed &+ 1)))
        out.pointee = HandleRegistry.register(model)
    }
}

@c @implementation
public func vg_model_create_with_architecture(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ config: UnsafePointer<vg_config>?,
                                              _ architecture: UnsafePointer<CChar>?) -> vg_status {
    out?.pointee = nil
    return cCall("vg_model_create_with_architecture") { () throws(VAEGANError) in
        let out = try nonNull(out, "out")
        let config = try nonNull(config, "config")
        let name = String(cString: try nonNull(architecture, "architecture"))
        guard let preset = ArchitecturePreset(rawValue: name) else {
            let known = ArchitecturePreset.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw .invalidArgument("architecture \"\(name)\" is not a preset (\(known))")
        }
        let (training, seed) = try CModel.training(from: config, architecture: preset)
        let model = try CModel(training, position: TrainingPosition(epoch: 0, loaderRNG: RandomGenerator(seed: seed &+ 1)))
        out.pointee = HandleRegistry.register(model)
    }
}

@c @implementation
public func vg_model_free(_ model: OpaquePointer?) -> vg_status {
    guard let model else { return VG_OK }
    return cCall("vg_model_free") { () throws(VAEGANError) in try HandleRegistry.release(model) }
}

@c @implementation
public func vg_model_kind_of(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<Int32>?) -> vg_status {
    cCall("vg_model_kind_of") { () throws(VAEGANError) in
        let out = try nonNull(out, "out")
        out.pointee = try HandleRegistry.withModel(model) { Int32(bitPattern: $0.kind.rawValue) }
    }
}

@c @implementation
public func vg_model_input_width(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> vg_status {
    cCall("vg_model_input_width") { () throws(VAEGANError) in
        let out = try nonNull(out, "out")
        out.pointee = Int64(try HandleRegistry.withModel(model) { $0.inputWidth })
    }
}

@c @implementation
public func vg_model_latent_width(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> vg_status {
    cCall("vg_model_latent_width") { () throws(VAEGANError) in
        let out = try nonNull(out, "out")
        out.pointee = Int64(try HandleRegistry.withModel(model) { $0.latentWidth })
    }
}

@c @implementation
public func vg_model_batch_size(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> vg_status {
    cCall("vg_model_batch_size") { () throws(VAEGANError) in
        let out = try nonNull(out, "out")
        out.pointee = Int64(try HandleRegistry.withModel(model) { $0.batchCapacity })
    }
}
