// PyTorchLayerFixtureTests: the convolution and batch-norm kernels against PyTorch's own layers
// (nn.Conv2d, nn.ConvTranspose2d, nn.BatchNorm2d/1d in training mode, then evaluation mode),
// from Fixtures/pytorch-layers.json, written once by Benchmarks/pytorch/make_layer_fixtures.py
// with torch 2.13.0+cpu. The weights are PyTorch's, in its layouts, used as they are: the test
// is also that our layouts are PyTorch's.
//
// Tolerance: |ours − PyTorch| ≤ 2e-5 + 2e-5·|PyTorch| (both accumulate in float, in different
// orders; the largest difference seen is printed).
import CVAEGAN
import Foundation
import Testing

private struct LayerCase: Decodable {
    var name: String
    var kind: String
    var geometry: [String: Int]
    var x_shape: [Int]
    var y_shape: [Int]
    var x, r, y, dx: [Float]
    var weight: [Float]?
    var bias: [Float]?
    var dweight: [Float]?
    var dbias: [Float]?
    var running_mean: [Float]?
    var running_var: [Float]?
    var y_eval: [Float]?
}

private struct LayerFixture: Decodable {
    var torch: String
    var cases: [LayerCase]
}

private func loadFixture() throws -> LayerFixture {
    let folder = try #require(Bundle.module.resourcePath).appending("/Fixtures")
    let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/pytorch-layers.json"))
    return try JSONDecoder().decode(LayerFixture.self, from: data)
}

/// The largest |got − want| after checking each against the tolerance.
@discardableResult
private func agree(_ got: [Float], _ want: [Float]?, _ what: String) -> Double {
    guard let want else {
        Issue.record("\(what): missing in the fixture")
        return .infinity
    }
    #expect(got.count == want.count, "\(what): \(got.count) values, PyTorch \(want.count)")
    var worst = 0.0, failures = 0
    for (g, w) in zip(got, want) {
        let d = abs(Double(g) - Double(w))
        worst = max(worst, d)
        if !(d <= 2e-5 + 2e-5 * abs(Double(w))) {
            failures += 1
            if failures <= 3 { Issue.record("\(what): \(g) against PyTorch's \(w)") }
        }
    }
    return worst
}

struct PyTorchLayerFixtureTests {
    @Test("Conv2d and ConvTranspose2d: outputs and every gradient agree with PyTorch's")
    func convolutions() throws {
        let fixture = try loadFixture()
        let cases = fixture.cases.filter { $0.kind != "batch_norm" }
        #expect(cases.count == 4)
        for c in cases {
            let transposed = c.kind == "conv_transpose2d"
            let s = c.x_shape
            // weight: Conv2d (CO, CI, K, K); ConvTranspose2d (CI, CO, K, K)
            let outChannels = Int64(c.y_shape[1])
            var g = vg_conv_geometry()
            let geometryStatus = vg_conv_geometry_init(&g, transposed, Int64(s[0]), Int64(s[1]), Int64(s[2]), Int64(s[3]),
                                                       outChannels, Int64(c.geometry["kernel"]!), Int64(c.geometry["stride"]!),
                                                       Int64(c.geometry["padding"]!), Int64(c.geometry["output_padding"]!))
            try #require(geometryStatus == VG_OK)
            #expect([Int(g.batch), Int(g.out_channels), Int(g.out_height), Int(g.out_width)] == c.y_shape, "\(c.name): output shape")
            let weight = try #require(c.weight), bias = try #require(c.bias)
            var workspace = [Float](repeating: 0, count: Int(vg_conv_workspace_size(&g)))
            var y = [Float](repeating: .nan, count: c.y.count)
            let forward = transposed
                ? vg_conv_transpose2d_forward(&y, &workspace, c.x, weight, bias, &g, VG_ACTIVATION_IDENTITY, 0)
                : vg_conv2d_forward(&y, &workspace, c.x, weight, bias, &g, VG_ACTIVATION_IDENTITY, 0)
            #expect(forward == VG_OK)
            var dx = [Float](repeating: .nan, count: c.x.count), dw = [Float](repeating: 0, count: weight.count)
            var db = [Float](repeating: 0, count: bias.count)
            let backward = transposed
                ? vg_conv_transpose2d_backward(&dx, &dw, &db, &workspace, c.r, c.x, weight, &g, 0)
                : vg_conv2d_backward(&dx, &dw, &db, &workspace, c.r, c.x, weight, &g, 0)
            #expect(backward == VG_OK)
            let worst = [agree(y, c.y, "\(c.name) y"), agree(dx, c.dx, "\(c.name) dx"),
                         agree(dw, c.dweight, "\(c.name) dweight"), agree(db, c.dbias, "\(c.name) dbias")].max()!
            print("pytorch fixture \(c.name): max |Δ| = \(KernelCheck.format(worst)) (torch \(fixture.torch))")
        }
    }

    @Test("BatchNorm2d and BatchNorm1d: training output, gradients, running statistics and evaluation output agree with PyTorch's")
    func batchNorm() throws {
        let fixture = try loadFixture()
        let cases = fixture.cases.filter { $0.kind == "batch_norm" }
        #expect(cases.count == 2)
        for c in cases {
            let (B, C) = (Int64(c.x_shape[0]), Int64(c.x_shape[1]))
            let S = Int64(c.x_shape.dropFirst(2).reduce(1, *))
            let gamma = try #require(c.weight), beta = try #require(c.bias)
            var y = [Float](repeating: .nan, count: c.y.count)
            var mean = [Float](repeating: 0, count: Int(C)), rstd = mean
            var runningMean = [Float](repeating: 0, count: Int(C)), runningVar = [Float](repeating: 1, count: Int(C))
            #expect(vg_batchnorm_forward_train(&y, &mean, &rstd, &runningMean, &runningVar, c.x, gamma, beta, B, C, S,
                                               0.1, 1e-5) == VG_OK)
            var dx = [Float](repeating: .nan, count: c.x.count), dgamma = [Float](repeating: 0, count: Int(C)), dbeta = dgamma
            #expect(vg_batchnorm_backward(&dx, &dgamma, &dbeta, c.r, c.x, mean, rstd, gamma, B, C, S, 0) == VG_OK)
            var yEval = [Float](repeating: .nan, count: c.y.count)
            #expect(vg_batchnorm_forward_eval(&yEval, c.x, gamma, beta, runningMean, runningVar, B, C, S, 1e-5) == VG_OK)
            let worst = [agree(y, c.y, "\(c.name) y"), agree(dx, c.dx, "\(c.name) dx"),
                         agree(dgamma, c.dweight, "\(c.name) dweight"), agree(dbeta, c.dbias, "\(c.name) dbias"),
                         agree(runningMean, c.running_mean, "\(c.name) running_mean"),
                         agree(runningVar, c.running_var, "\(c.name) running_var"),
                         agree(yEval, c.y_eval, "\(c.name) y (evaluation)")].max()!
            print("pytorch fixture \(c.name): max |Δ| = \(KernelCheck.format(worst)) (torch \(fixture.torch))")
        }
    }
}
