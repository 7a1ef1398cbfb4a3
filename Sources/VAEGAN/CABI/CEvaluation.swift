// vg_model_evaluate: a kind's figures over rows the model does not train on (validation data),
// into a vg_metrics. The β-VAE's are its own evaluation (VAE+Evaluation.swift), the figures
// vg_model_train reports for its rows; the GAN's D(x) and the VAE-GAN's posterior KL and pixel
// error are computed here from the models' inference passes, in evaluation mode.
import CVAEGAN
import Foundation

@c @implementation
public func vg_model_evaluate(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<vg_metrics>?,
                              _ x: UnsafePointer<Float>?, _ rows: Int64, _ features: Int64) -> vg_status {
    cCall("vg_model_evaluate") { () throws(VAEGANError) in
        let out = try nonNull(out, "out"), x = try nonNull(x, "x")
        try requireMetricsSize(out)
        let metrics = try HandleRegistry.withModel(model) { (model) throws(VAEGANError) -> vg_metrics in
            let rowCount = try model.checkedRows(x, rows: rows, width: features, expected: model.inputWidth, "x", "features")
            var metrics = vg_metrics.unset
            metrics.kind = Int32(bitPattern: model.kind.rawValue)
            metrics.epoch = Int64(model.epoch)
            metrics.steps = Int64(model.training.stepCount)
            try evaluate(model, on: x, rows: rowCount, into: &metrics)
            return metrics
        }
        out.pointee = metrics
    }
}

/// `.invalidArgument` unless the caller's `out->size` holds this library's vg_metrics.
func requireMetricsSize(_ out: UnsafeMutablePointer<vg_metrics>) throws(VAEGANError) {
    // Read the size alone first: a smaller (older) struct must not be overwritten past its end.
    let size = UnsafeRawPointer(out).load(as: Int64.self)
    let expected = Int64(MemoryLayout<vg_metrics>.size)
    try require(size >= expected, "out->size is \(size), smaller than sizeof(vg_metrics) = \(expected); set it to sizeof(vg_metrics)")
}

/// The figures vaegan.h lists for the handle's kind over `rows` rows of `x` (the model's
/// width), read in place in chunks through the handle's workspace: no copy of the caller's
/// rows but the β-VAE's, which its evaluation reads as a data set (allocated fallibly).
private func evaluate(_ handle: CModel, on x: UnsafePointer<Float>, rows count: Int,
                      into metrics: inout vg_metrics) throws(VAEGANError) {
    let model = handle.model, width = model.inputWidth
    switch model {
    case let vae as VAE:
        let rows = try HeapBuffer(copying: UnsafeBufferPointer(start: x, count: count * width))
        let evaluation = try vae.evaluate(ImageDataset(count: count, rows: 1, columns: width, pixels: .floatBuffer(rows)))
        metrics.eval_nelbo = evaluation.negativeELBO
        metrics.eval_reconstruction = evaluation.reconstruction
        metrics.eval_kl = evaluation.kl
        metrics.active_units = Double(evaluation.activeUnits)
    case let gan as GAN:
        gan.discriminator.isTraining = false // running statistics, and none updated
        defer { gan.discriminator.isTraining = true }
        var sum = 0.0
        handle.forEachChunk(of: x, rows: count, width: width) { chunk, _ in
            let logits = gan.discriminator.forward(chunk)
            for i in 0..<logits.count { sum += 1 / (1 + exp(-Double(logits.base[i]))) }
        }
        metrics.d_real = sum / Double(count)
    case let autoencoder as any Autoencoding:
        // KL(N(μ, σ²) ‖ N(0, I)) = ½ Σ (μ² + σ² − 1 − log σ²), and ½‖x − Dec(μ)‖², per example.
        var kl = 0.0, pixel = 0.0
        handle.forEachChunk(of: x, rows: count, width: width) { chunk, start in
            let (mu, logvar) = autoencoder.encode(chunk)
            for i in 0..<mu.count {
                let m = Double(mu.base[i]), v = Double(logvar.base[i])
                kl += 0.5 * (m * m + exp(v) - 1 - v)
            }
            let reconstructions = autoencoder.decode(mu)
            let original = x + start * width
            for i in 0..<reconstructions.count {
                let d = Double(original[i]) - Double(reconstructions.base[i])
                pixel += 0.5 * d * d
            }
        }
        metrics.eval_kl = kl / Double(count)
        metrics.eval_reconstruction = pixel / Double(count)
    default:
        break
    }
}
