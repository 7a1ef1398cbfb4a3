// The kernel table: every C kernel but GEMM (GemmTable.swift) at the sizes a training step uses,
// its time, its throughput beside the machine's bound (memory bandwidth for element-wise
// kernels, the measured FMA peak for the evaluation's products), and the SIMD path's speed-up
// over the scalar reference.
import CVAEGAN
import Foundation

/// Buffers of random floats, 64-byte aligned.
final class Buffers {
    private var tensors: [UnsafeMutablePointer<Float>] = []
    var rng = vg_rng()

    init() { vg_rng_seed(&rng, 1) }
    deinit { tensors.forEach { free($0) } }

    func make(_ count: Int, scale: Float = 1) -> UnsafeMutablePointer<Float> {
        var raw: UnsafeMutableRawPointer?
        posix_memalign(&raw, 64, max(count, 1) * 4)
        let p = raw!.bindMemory(to: Float.self, capacity: max(count, 1))
        vg_rng_normal_fill(&rng, p, Int64(count))
        vg_scale(p, scale, Int64(count))
        tensors.append(p)
        return p
    }
}

/// Sustained copy bandwidth (bytes/s) on a buffer far larger than the caches.
func measureMemoryBandwidth() -> Double {
    let count = 64 << 20 // 256 MiB per buffer
    let a = UnsafeMutablePointer<Float>.allocate(capacity: count), b = UnsafeMutablePointer<Float>.allocate(capacity: count)
    defer { a.deallocate(); b.deallocate() }
    a.initialize(repeating: 1, count: count)
    b.initialize(repeating: 2, count: count)
    let t = Timing.measure(samples: 5, warmup: 1) { b.update(from: a, count: count) }
    return Double(count * 8) / t.median
}

struct KernelRow {
    var name: String
    var shape: String
    var seconds: Double
    var referenceSeconds: Double?
    var bytes: Double
    var flops: Double
}

func kernelRows() -> [KernelRow] {
    let buffers = Buffers()
    var rows: [KernelRow] = []
    let batch = 128
    let widths = [784, 512, 256, 32]

    func time(_ body: () -> Void) -> Double {
        let repeats = repeatsFor(body)
        return Timing.measure(samples: 15, repeats: repeats, body).median
    }

    // GEMM has its own table (`vaegan-bench gemm`), beside OpenBLAS.

    for width in widths {
        let n = batch * width
        let shape = "\(batch)×\(width)"
        let y = buffers.make(n), bias = buffers.make(width), dy = buffers.make(n), dx = buffers.make(n)
        let t = buffers.make(n)
        vg_bytes_to_unit_floats(t, [UInt8](repeating: 100, count: n), Int64(n))
        for (label, act) in [("relu", VG_ACTIVATION_RELU), ("leaky relu", VG_ACTIVATION_LEAKY_RELU),
                             ("sigmoid", VG_ACTIVATION_SIGMOID), ("tanh", VG_ACTIVATION_TANH)] {
            rows.append(KernelRow(
                name: "bias+\(label) forward", shape: shape,
                seconds: time { vg_bias_activation_forward(y, bias, Int64(batch), Int64(width), act, 0.2) },
                referenceSeconds: time { vg_bias_activation_forward_ref(y, bias, Int64(batch), Int64(width), act, 0.2) },
                bytes: 8.0 * Double(n), flops: 0))
            rows.append(KernelRow(
                name: "\(label) backward", shape: shape,
                seconds: time { vg_activation_backward(dx, dy, y, Int64(n), act, 0.2) },
                referenceSeconds: time { vg_activation_backward_ref(dx, dy, y, Int64(n), act, 0.2) },
                bytes: 12.0 * Double(n), flops: 0))
        }
        let db = buffers.make(width)
        rows.append(KernelRow(
            name: "bias grad (column sums)", shape: shape,
            seconds: time { vg_column_sums_accumulate(db, dy, Int64(batch), Int64(width)) },
            referenceSeconds: time { vg_column_sums_accumulate_ref(db, dy, Int64(batch), Int64(width)) },
            bytes: 4.0 * Double(n), flops: 0))
        var loss = 0.0
        rows.append(KernelRow(
            name: "BCE on logits + grad", shape: shape,
            seconds: time { vg_bce_logits(&loss, dx, y, t, Int64(n), 1) },
            referenceSeconds: time { vg_bce_logits_ref(&loss, dx, y, t, Int64(n), 1) },
            bytes: 12.0 * Double(n), flops: 0))
        rows.append(KernelRow(
            name: "squared error + grad", shape: shape,
            seconds: time { vg_squared_error(&loss, dx, y, t, Int64(n), 1) },
            referenceSeconds: time { vg_squared_error_ref(&loss, dx, y, t, Int64(n), 1) },
            bytes: 12.0 * Double(n), flops: 0))
    }

    let latent = batch * 32
    let mu = buffers.make(latent), logvar = buffers.make(latent, scale: 0.1), eps = buffers.make(latent)
    let z = buffers.make(latent), dmu = buffers.make(latent), dlogvar = buffers.make(latent)
    var kl = 0.0
    rows.append(KernelRow(name: "Gaussian KL + grad", shape: "128×32",
                          seconds: time { vg_gaussian_kl(&kl, dmu, dlogvar, nil, mu, logvar, 128, 32, 1) },
                          bytes: 16.0 * Double(latent), flops: 0))
    rows.append(KernelRow(name: "reparameterize forward", shape: "128×32",
                          seconds: time { vg_reparameterize_forward(z, mu, logvar, eps, Int64(latent)) },
                          bytes: 16.0 * Double(latent), flops: 0))
    rows.append(KernelRow(name: "reparameterize backward", shape: "128×32",
                          seconds: time { vg_reparameterize_backward(dmu, dlogvar, z, logvar, eps, Int64(latent)) },
                          bytes: 20.0 * Double(latent), flops: 0))
    rows.append(KernelRow(name: "normal fill (rng)", shape: "128×64",
                          seconds: time { vg_rng_normal_fill(&buffers.rng, z, Int64(latent)) },
                          bytes: 4.0 * Double(latent), flops: 0))

    // Adam over the reference β-VAE's 1.1 M parameters in one pass.
    let parameters = 1_094_736
    let p = buffers.make(parameters), m = buffers.make(parameters), v = buffers.make(parameters, scale: 0)
    let g = buffers.make(parameters)
    rows.append(KernelRow(
        name: "Adam step", shape: "1.09M params",
        seconds: time { vg_adam_step(p, m, v, g, Int64(parameters), 1e-3, 0.9, 0.999, 1e-8, 0, false, 10) },
        referenceSeconds: time { vg_adam_step_ref(p, m, v, g, Int64(parameters), 1e-3, 0.9, 0.999, 1e-8, 0, false, 10) },
        bytes: 28.0 * Double(parameters), flops: 0))
    return rows + evaluationKernelRows(buffers)
}

/// The evaluation kernels at the sizes `vaegan eval` uses: the domain classifier's loss on a
/// batch, and FID and precision/recall over 10,000 rows of its 256 features. The slow ones are
/// timed over 3 samples; their references (plain loops in double) are far too slow to time here.
func evaluationKernelRows(_ buffers: Buffers) -> [KernelRow] {
    var rows: [KernelRow] = []
    let (batch, classes) = (128, 10)
    let logits = buffers.make(batch * classes), gradient = buffers.make(batch * classes)
    let labels = (0..<batch).map { Int32($0 % classes) }
    var loss = 0.0
    rows.append(KernelRow(
        name: "softmax CE + grad", shape: "\(batch)×\(classes)",
        seconds: Timing.measure(samples: 15, repeats: 1000) {
            _ = vg_softmax_cross_entropy(&loss, gradient, logits, labels, Int64(batch), Int64(classes), 1)
        }.median, bytes: 8.0 * Double(batch * classes), flops: 0))

    let (n, d) = (10_000, 256)
    let features = buffers.make(n * d), others = buffers.make(n * d, scale: 1.1)
    var mean = [Double](repeating: 0, count: d), covariance = [Double](repeating: 0, count: d * d)
    var otherMean = mean, otherCovariance = covariance
    func slow(_ body: () -> Void) -> Double { Timing.measure(samples: 3, warmup: 1, body).median }
    rows.append(KernelRow(
        name: "mean + covariance", shape: "\(n)×\(d)",
        seconds: slow { _ = vg_mean_covariance(&mean, &covariance, features, Int64(n), Int64(d)) },
        bytes: 4.0 * Double(n * d), flops: Double(n * d * d)))
    _ = vg_mean_covariance(&otherMean, &otherCovariance, others, Int64(n), Int64(d))
    var distance = 0.0
    rows.append(KernelRow(
        name: "Fréchet distance", shape: "\(d)×\(d) (2 dsyevd)",
        seconds: slow { _ = vg_frechet_distance(&distance, mean, covariance, otherMean, otherCovariance, Int64(d)) },
        bytes: 8.0 * Double(2 * d * d), flops: 4.0 * Double(d * d * d)))
    var radii = [Float](repeating: 0, count: n)
    rows.append(KernelRow(
        name: "k-NN radii (k = 3)", shape: "\(n)×\(d)",
        seconds: slow { _ = vg_kth_neighbor_distances(&radii, features, Int64(n), Int64(d), 3) },
        bytes: 4.0 * Double(n * n), flops: 2.0 * Double(n * n * d)))
    var fraction = 0.0
    rows.append(KernelRow(
        name: "manifold fraction", shape: "\(n) in \(n)×\(d)",
        seconds: slow { _ = vg_manifold_fraction(&fraction, others, Int64(n), features, radii, Int64(n), Int64(d)) },
        bytes: 4.0 * Double(n * n), flops: 2.0 * Double(n * n * d)))
    return rows
}

func printKernelTable(peakGFLOPS: Double) {
    let bandwidth = measureMemoryBandwidth()
    print("threads \(vg_thread_count()), SIMD path \(String(cString: vg_simd_name(vg_simd_level())))")
    print(String(format: "memory bandwidth (copy, 256 MiB): %.1f GB/s; FMA peak (measured): %.0f GFLOP/s (%d threads)",
                 bandwidth / 1e9, peakGFLOPS, Int(vg_thread_count())))
    print("")
    print(pad("kernel", 26) + pad("shape", 22) + padLeft("µs", 9) + padLeft("GB/s", 8) + padLeft("GFLOP/s", 9)
          + padLeft("of bound", 10) + padLeft("ref µs", 9) + padLeft("speed-up", 10))
    for row in kernelRows() {
        let gbps = row.bytes / row.seconds / 1e9
        let gflops = row.flops / row.seconds / 1e9
        let ofBound = row.flops > 0 ? gflops / peakGFLOPS : gbps * 1e9 / bandwidth
        var line = pad(row.name, 26) + pad(row.shape, 22) + padLeft(String(format: "%.2f", row.seconds * 1e6), 9)
            + padLeft(String(format: "%.1f", gbps), 8)
            + padLeft(row.flops > 0 ? String(format: "%.1f", gflops) : "-", 9)
            + padLeft(String(format: "%.0f%%", ofBound * 100), 10)
        if let reference = row.referenceSeconds {
            line += padLeft(String(format: "%.2f", reference * 1e6), 9) + padLeft(String(format: "%.1f×", reference / row.seconds), 10)
        }
        print(line)
    }
    print("")
    print("GB/s counts bytes read and written once each; element-wise kernels on data that fits in cache can exceed")
    print("the DRAM bound (shown as > 100%). GFLOP/s counts 2·M·N·K per GEMM.")
}
