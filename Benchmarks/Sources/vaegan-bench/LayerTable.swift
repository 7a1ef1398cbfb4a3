// The layer table: the convolutional layers at the reference DCGAN's shapes (batch 128), forward
// and backward, one JSON line per layer for pytorch/layers_side_by_side.py to set beside
// PyTorch's same layers.
import CVAEGAN
import Foundation
import VAEGAN

struct LayerShape {
    var name: String
    var kind: String  // "conv2d", "conv_transpose2d", "batch_norm"
    var batch = 128, inChannels: Int, outChannels: Int, size: Int
    var kernel = 4, stride = 2, padding = 1

    /// Conv2d 1→64 and 64→128 (k4 s2 p1), ConvTranspose2d 128→64 and 64→1, BatchNorm on
    /// 128×7×7 and 64×14×14: the DCGAN of issue 15.
    static let dcgan: [LayerShape] = [
        LayerShape(name: "Conv2d 1→64 28×28", kind: "conv2d", inChannels: 1, outChannels: 64, size: 28),
        LayerShape(name: "Conv2d 64→128 14×14", kind: "conv2d", inChannels: 64, outChannels: 128, size: 14),
        LayerShape(name: "ConvTranspose2d 128→64 7×7", kind: "conv_transpose2d", inChannels: 128, outChannels: 64, size: 7),
        LayerShape(name: "ConvTranspose2d 64→1 14×14", kind: "conv_transpose2d", inChannels: 64, outChannels: 1, size: 14),
        LayerShape(name: "BatchNorm2d 128×7×7", kind: "batch_norm", inChannels: 128, outChannels: 128, size: 7),
        LayerShape(name: "BatchNorm2d 64×14×14", kind: "batch_norm", inChannels: 64, outChannels: 64, size: 14),
    ]
}

/// Median seconds of forward and of backward for each layer, as JSON lines.
func printLayerTable(threads: Int) throws {
    try Threads.set(threads)
    let buffers = Buffers()
    for shape in LayerShape.dcgan {
        let (forward, backward) = try timeLayer(shape, buffers)
        let line: [String: Any] = ["framework": "vaegan", "layer": shape.name, "threads": threads,
                                   "forward_ms": forward * 1e3, "backward_ms": backward * 1e3]
        let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}

private func timeLayer(_ s: LayerShape, _ buffers: Buffers) throws -> (Double, Double) {
    func time(_ body: () -> Void) -> Double { Timing.measure(samples: 15, repeats: repeatsFor(body), body).median }
    if s.kind == "batch_norm" {
        let (B, C, S) = (Int64(s.batch), Int64(s.inChannels), Int64(s.size * s.size))
        let n = s.batch * s.inChannels * s.size * s.size
        let x = buffers.make(n), y = buffers.make(n), dy = buffers.make(n), dx = buffers.make(n)
        let gamma = buffers.make(s.inChannels), beta = buffers.make(s.inChannels)
        let mean = buffers.make(s.inChannels), rstd = buffers.make(s.inChannels)
        let runningMean = buffers.make(s.inChannels), runningVar = buffers.make(s.inChannels, scale: 0)
        vg_fill(runningVar, 1, Int64(s.inChannels))
        let dgamma = buffers.make(s.inChannels), dbeta = buffers.make(s.inChannels)
        let forward = time { _ = vg_batchnorm_forward_train(y, mean, rstd, runningMean, runningVar, x, gamma, beta, B, C, S, 0.1, 1e-5) }
        let backward = time { _ = vg_batchnorm_backward(dx, dgamma, dbeta, dy, x, mean, rstd, gamma, B, C, S, 0) }
        return (forward, backward)
    }
    let transposed = s.kind == "conv_transpose2d"
    var g = vg_conv_geometry()
    guard vg_conv_geometry_init(&g, transposed, Int64(s.batch), Int64(s.inChannels), Int64(s.size), Int64(s.size),
                                Int64(s.outChannels), Int64(s.kernel), Int64(s.stride), Int64(s.padding), 0) == VG_OK else {
        throw VAEGANError.invalidArgument(String(cString: vg_last_error_message()))
    }
    let inputs = Int(g.batch * g.in_channels * g.in_height * g.in_width)
    let outputs = Int(g.batch * g.out_channels * g.out_height * g.out_width)
    let weights = Int(g.in_channels * g.out_channels * g.kernel * g.kernel)
    let x = buffers.make(inputs), y = buffers.make(outputs), dy = buffers.make(outputs), dx = buffers.make(inputs)
    let w = buffers.make(weights, scale: 0.05), dw = buffers.make(weights), bias = buffers.make(s.outChannels)
    let db = buffers.make(s.outChannels), workspace = buffers.make(Int(vg_conv_workspace_size(&g)))
    let forward = time {
        _ = transposed ? vg_conv_transpose2d_forward(y, workspace, x, w, bias, &g, VG_ACTIVATION_IDENTITY, 0)
                       : vg_conv2d_forward(y, workspace, x, w, bias, &g, VG_ACTIVATION_IDENTITY, 0)
    }
    let backward = time {
        _ = transposed ? vg_conv_transpose2d_backward(dx, dw, db, workspace, dy, x, w, &g, 0)
                       : vg_conv2d_backward(dx, dw, db, workspace, dy, x, w, &g, 0)
    }
    return (forward, backward)
}
