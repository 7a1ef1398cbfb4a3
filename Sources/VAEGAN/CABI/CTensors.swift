// The weights as named tensors through the C ABI: list them, read one, write one. The names
// and shapes are the checkpoints' (each part's parameters, then its state), the values views
// of the live model, so a write takes effect at once; optimizer state is left alone.
import CVAEGAN

@c @implementation
public func vg_model_tensor_count(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> vg_status {
    cCall("vg_model_tensor_count") { () throws(VAEGANError) in
        let out = try nonNull(out, "out")
        out.pointee = Int64(try HandleRegistry.withModel(model) { $0.tensors.count })
    }
}

@c @implementation
public func vg_model_tensor_info(_ model: OpaquePointer?, _ name: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
                                 _ rank: UnsafeMutablePointer<Int64>?, _ shape: UnsafeMutablePointer<Int64>?,
                                 _ index: Int64) -> vg_status {
    cCall("vg_model_tensor_info") { () throws(VAEGANError) in
        let name = try nonNull(name, "name"), rank = try nonNull(rank, "rank"), shape = try nonNull(shape, "shape")
        try HandleRegistry.withModel(model) { (model) throws(VAEGANError) in
            try require(index >= 0 && index < Int64(model.tensors.count),
                        "index must be in 0...\(model.tensors.count - 1) (the model has \(model.tensors.count) tensors), not \(index)")
            let tensor = model.tensors[Int(index)]
            let sizes = tensor.value.shape
            guard sizes.count <= Int(VG_MAX_TENSOR_RANK) else {
                throw .state("tensor \(tensor.name) has rank \(sizes.count), more than VG_MAX_TENSOR_RANK")
            }
            name.pointee = UnsafePointer(tensor.cName)
            rank.pointee = Int64(sizes.count)
            for i in 0..<Int(VG_MAX_TENSOR_RANK) { shape[i] = i < sizes.count ? Int64(sizes[i]) : 0 }
        }
    }
}

@c @implementation
public func vg_model_get_tensor(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<Float>?, _ outCapacity: Int64,
                                _ name: UnsafePointer<CChar>?) -> vg_status {
    cCall("vg_model_get_tensor") { () throws(VAEGANError) in
        let out = try nonNull(out, "out")
        let name = String(cString: try nonNull(name, "name"))
        try HandleRegistry.withModel(model) { (model) throws(VAEGANError) in
            let tensor = try model.tensor(named: name)
            guard outCapacity >= Int64(tensor.count) else {
                throw .shapeMismatch("out holds \(outCapacity) floats; tensor '\(name)' of shape \(tensor.shape) has \(tensor.count)")
            }
            out.update(from: tensor.pointer, count: tensor.count)
        }
    }
}

@c @implementation
public func vg_model_set_tensor(_ model: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ values: UnsafePointer<Float>?,
                                _ shape: UnsafePointer<Int64>?, _ rank: Int64) -> vg_status {
    cCall("vg_model_set_tensor") { () throws(VAEGANError) in
        let name = String(cString: try nonNull(name, "name"))
        let values = try nonNull(values, "values"), shape = try nonNull(shape, "shape")
        try require(rank >= 1 && rank <= Int64(VG_MAX_TENSOR_RANK), "rank must be in 1...\(VG_MAX_TENSOR_RANK), not \(rank)")
        let given = (0..<Int(rank)).map { Int(shape[$0]) }
        try HandleRegistry.withModel(model) { (model) throws(VAEGANError) in
            let tensor = try model.tensor(named: name)
            guard given == tensor.shape else {
                throw .shapeMismatch("tensor '\(name)' has shape \(tensor.shape); values have shape \(given)")
            }
            try requireFinite(values, count: tensor.count, columns: tensor.shape.last ?? 1, "values")
            tensor.pointer.update(from: values, count: tensor.count)
        }
    }
}

extension CModel {
    /// The live tensor called `name`; `.invalidArgument` listing a few known names otherwise.
    func tensor(named name: String) throws(VAEGANError) -> Tensor {
        guard let tensor = tensors.first(where: { $0.name == name }) else {
            let known = tensors.prefix(6).map(\.name).joined(separator: ", ")
            throw .invalidArgument("the \(kindName) has no tensor '\(name)' (it has \(tensors.count): \(known)\(tensors.count > 6 ? ", …" : ""))")
        }
        return tensor.value
    }
}
