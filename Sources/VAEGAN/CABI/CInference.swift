// Inference through the C ABI: encode, decode, reconstruct, sample. The models' forward
// passes work on at most `batchCapacity` rows (their workspaces' size), so the caller's rows
// go through the handle's workspace in chunks and the results are copied straight into the
// caller's buffers.
import CVAEGAN

@c @implementation
public func vg_model_encode(_ model: OpaquePointer?, _ mu: UnsafeMutablePointer<Float>?,
                           _ logvar: UnsafeMutablePointer<Float>?, _ x: UnsafePointer<Float>?, _ rows: Int64,
                           _ features: Int64) -> vg_status {
    cCall("vg_model_encode") { () throws(VAEGANError) in
        let mu = try nonNull(mu, "mu"), logvar = try nonNull(logvar, "logvar"), x = try nonNull(x, "x")
        try HandleRegistry.withModel(model) { (model) throws(VAEGANError) in
            let autoencoder = try model.autoencoder()
            let rows = try model.checkedRows(x, rows: rows, width: features, expected: model.inputWidth, "x", "features")
            let latent = model.latentWidth
            model.forEachChunk(of: x, rows: rows, width: model.inputWidth) { chunk, start in
                let (chunkMu, chunkLogvar) = autoencoder.encode(chunk)
                (mu + start * latent).update(from: chunkMu.base, count: chunkMu.count)
                (logvar + start * latent).update(from: chunkLogvar.base, count: chunkLogvar.count)
            }
        }
    }
}

@c @implementation
public func vg_model_decode(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<Float>?, _ z: UnsafePointer<Float>?,
                           _ rows: Int64, _ latent: Int64) -> vg_status {
    cCall("vg_model_decode") { () throws(VAEGANError) in
        let out = try nonNull(out, "out"), z = try nonNull(z, "z")
        try HandleRegistry.withModel(model) { (model) throws(VAEGANError) in
            let rows = try model.checkedRows(z, rows: rows, width: latent, expected: model.latentWidth, "z", "latent")
            let width = model.inputWidth
            model.forEachChunk(of: z, rows: rows, width: model.latentWidth) { chunk, start in
                let output = model.model.decode(chunk)
                (out + start * width).update(from: output.base, count: output.count)
            }
        }
    }
}

@c @implementation
public func vg_model_reconstruct(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<Float>?,
                                _ x: UnsafePointer<Float>?, _ rows: Int64, _ features: Int64) -> vg_status {
    cCall("vg_model_reconstruct") { () throws(VAEGANError) in
        let out = try nonNull(out, "out"), x = try nonNull(x, "x")
        try HandleRegistry.withModel(model) { (model) throws(VAEGANError) in
            let autoencoder = try model.autoencoder()
            let rows = try model.checkedRows(x, rows: rows, width: features, expected: model.inputWidth, "x", "features")
            let width = model.inputWidth
            model.forEachChunk(of: x, rows: rows, width: width) { chunk, start in
                let output = autoencoder.decode(autoencoder.encode(chunk).mu)
                (out + start * width).update(from: output.base, count: output.count)
            }
        }
    }
}

@c @implementation
public func vg_model_sample(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<Float>?, _ outCapacity: Int64,
                           _ n: Int64, _ seed: UInt64) -> vg_status {
    cCall("vg_model_sample") { () throws(VAEGANError) in
        let out = try nonNull(out, "out")
        let count = try positive(n, "n")
        try require(outCapacity >= 0, "out_capacity must be non-negative, not \(outCapacity)")
        try HandleRegistry.withModel(model) { (model) throws(VAEGANError) in
            let (needed, overflow) = count.multipliedReportingOverflow(by: model.inputWidth)
            guard !overflow, Int(outCapacity) >= needed else {
                throw .shapeMismatch("out holds \(outCapacity) floats; \(count) samples of \(model.inputWidth) need "
                                     + (overflow ? "more than any buffer can hold" : "\(needed)"))
            }
            // The library's own sampling (GenerativeModel.sample: all of z from one generator,
            // then decoded in chunks), so the same seed gives the same samples as `vaegan
            // sample`; z is allocated fallibly and the decoder writes straight into out.
            let latent = model.latentWidth, width = model.inputWidth
            let z = try HeapBuffer<Float>(zeroed: try product(count, latent, "n × latent"))
            var generator = RandomGenerator(seed: seed)
            generator.fillNormal(z.pointer, count: z.count)
            model.forEachChunk(of: z.pointer, rows: count, width: latent) { chunk, start in
                let output = model.model.decode(chunk)
                (out + start * width).update(from: output.base, count: output.count)
            }
        }
    }
}

extension CModel {
    /// `rows` as an Int after checking the matrix's width against the model and its values.
    func checkedRows(_ values: UnsafePointer<Float>, rows: Int64, width: Int64, expected: Int,
                     _ name: String, _ widthName: String) throws(VAEGANError) -> Int {
        let rowCount = try positive(rows, "rows")
        let width = try positive(width, widthName)
        guard width == expected else {
            throw .shapeMismatch("the \(kindName) takes rows of \(expected) values for \(name); \(widthName) is \(width)")
        }
        try requireFinite(values, count: try product(rowCount, width, "rows × \(widthName)"), columns: width, name)
        return rowCount
    }

    /// Calls `body` with chunks of at most `batchCapacity` rows of `values` (copied into the
    /// workspace) and the index of each chunk's first row.
    func forEachChunk(of values: UnsafePointer<Float>, rows: Int, width: Int, _ body: (Matrix, Int) -> Void) {
        var start = 0
        while start < rows {
            let n = min(batchCapacity, rows - start)
            workspace.pointer.update(from: values + start * width, count: n * width)
            body(Matrix(workspace.pointer, rows: n, columns: width), start)
            start += n
        }
    }

}
