// ConvolutionKernelTests: Conv2d and ConvTranspose2d (im2col + GEMM + col2im, conv.c) against
// their direct nested-loop references in double, forward and backward, over kernels 1, 3, 4, 5,
// strides 1 and 2, paddings 0, 1, 2, output paddings 0 and 1, odd sizes, 1 and several
// channels, batch 1, 2 and 128; batch normalization (batchnorm.c) against its reference; and
// finite-difference gradient checks of all three.
//
// Tolerance. Each output is a dot product of at most CI·K·K (or CO·K·K) terms accumulated in
// float by the GEMM, so it may differ from the double reference by (terms + 2)·2⁻²⁴·bound,
// bound being the same sum over absolute values (KernelGemm.compare, as for GEMM).
import CVAEGAN
import Testing

struct ConvCase: Sendable, CustomTestStringConvertible {
    var transposed: Bool
    var batch: Int, inChannels: Int, outChannels: Int, size: Int
    var kernel: Int, stride: Int, padding: Int, outputPadding: Int = 0
    var testDescription: String {
        "\(transposed ? "convT" : "conv") B\(batch) \(inChannels)→\(outChannels) \(size)×\(size) k\(kernel) s\(stride) p\(padding)"
            + (transposed ? " op\(outputPadding)" : "")
    }

    func geometry() -> vg_conv_geometry? {
        var g = vg_conv_geometry()
        let status = vg_conv_geometry_init(&g, transposed, Int64(batch), Int64(inChannels), Int64(size), Int64(size),
                                           Int64(outChannels), Int64(kernel), Int64(stride), Int64(padding),
                                           Int64(outputPadding))
        return status == VG_OK ? g : nil
    }

    /// Every combination the issue names, on 7×7 and 13×13 inputs, plus batch-128 cases at the
    /// reference DCGAN's first and last layers and batch-45 ones at its middle layers' patch
    /// width (with few channels on the other side, so the reference stays quick).
    static let all: [ConvCase] = {
        var cases: [ConvCase] = []
        var index = 0
        for transposed in [false, true] {
            for kernel in [1, 3, 4, 5] {
                for stride in [1, 2] {
                    for padding in [0, 1, 2] {
                        for outputPadding in (transposed && stride > 1 ? [0, 1] : [0]) {
                            for size in [7, 13] {
                                index += 1
                                let channels = index % 2 == 0 ? (1, 3) : (3, 2)
                                let c = ConvCase(transposed: transposed, batch: index % 3 == 0 ? 1 : 2,
                                                 inChannels: channels.0, outChannels: channels.1, size: size,
                                                 kernel: kernel, stride: stride, padding: padding,
                                                 outputPadding: outputPadding)
                                if c.geometry() != nil { cases.append(c) }
                            }
                        }
                    }
                }
            }
        }
        cases.append(ConvCase(transposed: false, batch: 128, inChannels: 1, outChannels: 4, size: 28, kernel: 4, stride: 2, padding: 1))
        cases.append(ConvCase(transposed: true, batch: 128, inChannels: 4, outChannels: 1, size: 14, kernel: 4, stride: 2, padding: 1))
        // The DCGAN's middle layers' patch widths (64·4·4 = 1024 columns): 20 examples fill
        // conv.c's ~4 MB chunk, so a batch of 45 goes through as chunks of 20, 20 and 5.
        cases.append(ConvCase(transposed: false, batch: 45, inChannels: 64, outChannels: 3, size: 14, kernel: 4, stride: 2, padding: 1))
        cases.append(ConvCase(transposed: true, batch: 45, inChannels: 3, outChannels: 64, size: 7, kernel: 4, stride: 2, padding: 1))
        return cases
    }()
}

private extension vg_conv_geometry {
    var inputCount: Int { Int(batch * in_channels * in_height * in_width) }
    var outputCount: Int { Int(batch * out_channels * out_height * out_width) }
    var weightCount: Int { Int(in_channels * out_channels * kernel * kernel) }
}

struct ConvolutionKernelTests {
    private func forward(_ g: vg_conv_geometry, _ x: [Float], _ w: [Float], _ b: [Float]?, reference: Bool,
                         activation: vg_activation = VG_ACTIVATION_IDENTITY) -> [Float] {
        var g = g
        var y = [Float](repeating: .nan, count: g.outputCount)
        if reference {
            if g.transposed { vg_conv_transpose2d_forward_ref(&y, x, w, b, &g, activation, 0.2) }
            else { vg_conv2d_forward_ref(&y, x, w, b, &g, activation, 0.2) }
            return y
        }
        var workspace = [Float](repeating: .nan, count: Int(vg_conv_workspace_size(&g)))
        let status = g.transposed
            ? vg_conv_transpose2d_forward(&y, &workspace, x, w, b, &g, activation, 0.2)
            : vg_conv2d_forward(&y, &workspace, x, w, b, &g, activation, 0.2)
        #expect(status == VG_OK, "\(String(cString: vg_last_error_message()))")
        return y
    }

    @Test(arguments: ConvCase.all)
    func forwardMatchesReference(_ c: ConvCase) throws {
        let g = try #require(c.geometry())
        var random = KernelRandom(seed: UInt64(c.kernel * 1000 + c.stride * 100 + c.padding * 10 + c.size) &+ (c.transposed ? 1 << 32 : 0))
        let x = random.uniform(g.inputCount, -1, 1), w = random.uniform(g.weightCount, -0.5, 0.5)
        let bias = random.uniform(Int(g.out_channels), -0.5, 0.5)
        let got = forward(g, x, w, bias, reference: false)
        let want = forward(g, x, w, bias, reference: true)
        let bound = forward(g, x.map(abs), w.map(abs), bias.map(abs), reference: true)
        #expect(got.allSatisfy { $0.isFinite })
        let terms = Int(g.in_channels * g.kernel * g.kernel)  // at most, for either kind
        let (worst, _) = KernelGemm.compare(got, want, bound: bound, k: terms + 1, what: c.testDescription)
        if c.batch == 128 || (c.kernel == 5 && c.size == 13) {
            KernelCheck.report(c.transposed ? "vg_conv_transpose2d_forward" : "vg_conv2d_forward", c.testDescription, maxAbs: worst)
        }
    }

    @Test(arguments: ConvCase.all)
    func backwardMatchesReference(_ c: ConvCase) throws {
        var g = try #require(c.geometry())
        var random = KernelRandom(seed: UInt64(c.kernel * 7919 + c.stride * 31 + c.padding * 5 + c.size) &+ (c.transposed ? 1 << 33 : 0))
        let x = random.uniform(g.inputCount, -1, 1), w = random.uniform(g.weightCount, -0.5, 0.5)
        let dy = random.uniform(g.outputCount, -1, 1)
        let dxBeta: Float = c.size == 7 ? 0 : 1
        let dx0 = dxBeta == 0 ? [Float](repeating: .nan, count: g.inputCount) : random.uniform(g.inputCount, -1, 1)
        let dw0 = random.uniform(g.weightCount, -1, 1), db0 = random.uniform(Int(g.out_channels), -1, 1)
        var dx = dx0, dw = dw0, db = db0
        var workspace = [Float](repeating: .nan, count: Int(vg_conv_workspace_size(&g)))
        let status = g.transposed
            ? vg_conv_transpose2d_backward(&dx, &dw, &db, &workspace, dy, x, w, &g, dxBeta)
            : vg_conv2d_backward(&dx, &dw, &db, &workspace, dy, x, w, &g, dxBeta)
        #expect(status == VG_OK, "\(String(cString: vg_last_error_message()))")
        func reference(_ dy: [Float], _ x: [Float], _ w: [Float], _ dx: inout [Float], _ dw: inout [Float], _ db: inout [Float]) {
            if g.transposed { vg_conv_transpose2d_backward_ref(&dx, &dw, &db, dy, x, w, &g, dxBeta) }
            else { vg_conv2d_backward_ref(&dx, &dw, &db, dy, x, w, &g, dxBeta) }
        }
        var dxRef = dx0, dwRef = dw0, dbRef = db0
        reference(dy, x, w, &dxRef, &dwRef, &dbRef)
        var dxBound = dx0.map { $0.isNaN ? 0 : abs($0) }, dwBound = dw0.map(abs), dbBound = db0.map(abs)
        reference(dy.map(abs), x.map(abs), w.map(abs), &dxBound, &dwBound, &dbBound)
        let spatial = Int(g.out_height * g.out_width)
        let dxTerms = Int(g.out_channels * g.kernel * g.kernel)
        let dwTerms = Int(g.batch) * (g.transposed ? Int(g.in_height * g.in_width) : spatial)
        let (wx, _) = KernelGemm.compare(dx, dxRef, bound: dxBound, k: dxTerms + 2, what: "dx \(c.testDescription)")
        let (ww, _) = KernelGemm.compare(dw, dwRef, bound: dwBound, k: dwTerms + 2, what: "dw \(c.testDescription)")
        let (wb, _) = KernelGemm.compare(db, dbRef, bound: dbBound, k: Int(g.batch) * spatial + 2, what: "db \(c.testDescription)")
        #expect(dx.allSatisfy { $0.isFinite })
        if c.batch == 128 || (c.kernel == 5 && c.size == 13) {
            let name = g.transposed ? "vg_conv_transpose2d_backward" : "vg_conv2d_backward"
            KernelCheck.report(name, "\(c.testDescription) dx", maxAbs: wx)
            KernelCheck.report(name, "\(c.testDescription) dw", maxAbs: ww)
            KernelCheck.report(name, "\(c.testDescription) db", maxAbs: wb)
        }
    }

    @Test("Bias and activation are fused into the forward: LeakyReLU(conv + b) matches the reference")
    func forwardWithActivation() throws {
        for transposed in [false, true] {
            let c = ConvCase(transposed: transposed, batch: 3, inChannels: 2, outChannels: 3, size: 9, kernel: 4, stride: 2, padding: 1)
            let g = try #require(c.geometry())
            var random = KernelRandom(seed: transposed ? 5 : 6)
            let x = random.uniform(g.inputCount, -1, 1), w = random.uniform(g.weightCount, -0.5, 0.5)
            let bias = random.uniform(Int(g.out_channels), -0.5, 0.5)
            let got = forward(g, x, w, bias, reference: false, activation: VG_ACTIVATION_LEAKY_RELU)
            let want = forward(g, x, w, bias, reference: true, activation: VG_ACTIVATION_LEAKY_RELU)
            let bound = forward(g, x.map(abs), w.map(abs), bias.map(abs), reference: true)
            _ = KernelGemm.compare(got, want, bound: bound, k: 64, what: "leaky \(c.testDescription)")
        }
    }

    @Test("Output sizes are PyTorch's; geometries without an output or with bad values are refused by name")
    func geometry() {
        var g = vg_conv_geometry()
        #expect(vg_conv_geometry_init(&g, false, 128, 1, 28, 28, 64, 4, 2, 1, 0) == VG_OK)
        #expect(g.out_height == 14 && g.out_width == 14)
        #expect(vg_conv_geometry_init(&g, false, 128, 64, 14, 14, 128, 4, 2, 1, 0) == VG_OK)
        #expect(g.out_height == 7)
        #expect(vg_conv_geometry_init(&g, true, 128, 128, 7, 7, 64, 4, 2, 1, 0) == VG_OK)
        #expect(g.out_height == 14)
        #expect(vg_conv_geometry_init(&g, true, 2, 3, 7, 7, 2, 3, 2, 1, 1) == VG_OK)
        #expect(g.out_height == 14)  // (7 − 1)·2 − 2 + 3 + 1
        let bad: [(Bool, [Int64], vg_status, String)] = [
            (false, [0, 1, 7, 7, 1, 3, 1, 0, 0], VG_ERROR_INVALID_ARGUMENT, "sizes must be positive"),
            (false, [1, 1, 7, 7, 1, 0, 1, 0, 0], VG_ERROR_INVALID_ARGUMENT, "kernel 0"),
            (false, [1, 1, 7, 7, 1, 3, 1, -1, 0], VG_ERROR_INVALID_ARGUMENT, "padding -1"),
            (false, [1, 1, 7, 7, 1, 3, 2, 0, 1], VG_ERROR_INVALID_ARGUMENT, "output padding applies only"),
            (true, [1, 1, 7, 7, 1, 3, 2, 0, 2], VG_ERROR_INVALID_ARGUMENT, "must be smaller than the stride"),
            (false, [1, 1, 3, 3, 1, 5, 1, 0, 0], VG_ERROR_SHAPE_MISMATCH, "has no output"),
        ]
        for (transposed, v, status, message) in bad {
            vg_error_clear()
            #expect(vg_conv_geometry_init(&g, transposed, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]) == status)
            #expect(String(cString: vg_last_error_message()).contains(message), "\(String(cString: vg_last_error_message()))")
        }
    }

    // MARK: gradient checks

    /// L = Σ r·y for fixed random r, so ∂L/∂y = r; the analytic gradients come from the backward
    /// kernels, the numeric ones from the forward kernels (GradientCheck.swift). The perturbed
    /// values live in heap buffers the loss reads through pointers.
    @Test("Conv2d and ConvTranspose2d: input, weight and bias gradients against finite differences",
          arguments: [false, true])
    func convolutionGradients(transposed: Bool) throws {
        let c = ConvCase(transposed: transposed, batch: 2, inChannels: 2, outChannels: 3, size: 5, kernel: 3, stride: 2,
                         padding: 1, outputPadding: transposed ? 1 : 0)
        var g = try #require(c.geometry())
        var random = KernelRandom(seed: transposed ? 21 : 22)
        let x = HeapFloats(random.normal(g.inputCount)), w = HeapFloats(random.normal(g.weightCount, standardDeviation: 0.5))
        let bias = HeapFloats(random.normal(Int(g.out_channels)))
        let r = random.normal(g.outputCount)
        var workspace = [Float](repeating: 0, count: Int(vg_conv_workspace_size(&g)))
        var y = [Float](repeating: 0, count: g.outputCount)
        let loss = { () -> Double in
            _ = transposed ? vg_conv_transpose2d_forward(&y, &workspace, x.pointer, w.pointer, bias.pointer, &g, VG_ACTIVATION_IDENTITY, 0)
                           : vg_conv2d_forward(&y, &workspace, x.pointer, w.pointer, bias.pointer, &g, VG_ACTIVATION_IDENTITY, 0)
            return zip(y, r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        var dx = [Float](repeating: 0, count: g.inputCount), dw = [Float](repeating: 0, count: g.weightCount)
        var db = [Float](repeating: 0, count: Int(g.out_channels))
        _ = transposed ? vg_conv_transpose2d_backward(&dx, &dw, &db, &workspace, r, x.pointer, w.pointer, &g, 0)
                       : vg_conv2d_backward(&dx, &dw, &db, &workspace, r, x.pointer, w.pointer, &g, 0)
        let name = transposed ? "conv_transpose2d" : "conv2d"
        checkGradient("\(name).input", of: x.pointer, count: x.count, analytic: dx, loss: loss)
        checkGradient("\(name).weight", of: w.pointer, count: w.count, analytic: dw, loss: loss)
        checkGradient("\(name).bias", of: bias.pointer, count: bias.count, analytic: db, loss: loss)
    }

    @Test("Batch norm (training mode): input, γ and β gradients against finite differences",
          arguments: [(3, 4, 1), (2, 3, 6)])
    func batchNormGradients(batch: Int, channels: Int, spatial: Int) {
        var random = KernelRandom(seed: UInt64(batch * 100 + spatial))
        let n = batch * channels * spatial
        let x = HeapFloats(random.normal(n)), gamma = HeapFloats(random.uniform(channels, 0.5, 1.5))
        let beta = HeapFloats(random.normal(channels))
        let r = random.normal(n)
        var y = [Float](repeating: 0, count: n), mean = [Float](repeating: 0, count: channels), rstd = mean
        let (B, C, S) = (Int64(batch), Int64(channels), Int64(spatial))
        let loss = { () -> Double in
            _ = vg_batchnorm_forward_train(&y, &mean, &rstd, nil, nil, x.pointer, gamma.pointer, beta.pointer, B, C, S, 0.1, 1e-5)
            return zip(y, r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        _ = loss()
        var dx = [Float](repeating: 0, count: n), dgamma = [Float](repeating: 0, count: channels), dbeta = dgamma
        #expect(vg_batchnorm_backward(&dx, &dgamma, &dbeta, r, x.pointer, mean, rstd, gamma.pointer, B, C, S, 0) == VG_OK)
        checkGradient("batchnorm.input B\(batch) S\(spatial)", of: x.pointer, count: n, analytic: dx, loss: loss)
        checkGradient("batchnorm.gamma", of: gamma.pointer, count: channels, analytic: dgamma, loss: loss)
        checkGradient("batchnorm.beta", of: beta.pointer, count: channels, analytic: dbeta, loss: loss)
    }

    // MARK: batch normalization against its reference

    /// A batch norm's inputs for (batch, channels, spatial): x ~ N(shift, 3²), γ, β, dy and
    /// running statistics, from `random`.
    struct BatchNormInputs {
        let n: Int
        let B: Int64, C: Int64, S: Int64
        let x: [Float], gamma: [Float], beta: [Float], dy: [Float], rm0: [Float], rv0: [Float]

        init(batch: Int, channels: Int, spatial: Int, shift: Float = 0, random: inout KernelRandom) {
            n = batch * channels * spatial
            (B, C, S) = (Int64(batch), Int64(channels), Int64(spatial))
            x = random.normal(n, standardDeviation: 3).map { $0 + shift }
            gamma = random.uniform(channels, 0.5, 1.5)
            beta = random.normal(channels)
            dy = random.normal(n)
            rm0 = random.normal(channels)
            rv0 = random.uniform(channels, 0.5, 2)
        }
    }

    @Test("Batch norm forward (training, running statistics; evaluation) and backward match the reference",
          arguments: [(1, 3, 5), (4, 3, 1), (2, 5, 49), (128, 16, 1), (16, 8, 196), (32, 600, 1)])
    func batchNormMatchesReference(batch: Int, channels: Int, spatial: Int) {
        var random = KernelRandom(seed: UInt64(batch * 31 + channels * 7 + spatial))
        let inputs = BatchNormInputs(batch: batch, channels: channels, spatial: spatial, random: &random)
        let (n, B, C, S) = (inputs.n, inputs.B, inputs.C, inputs.S)
        let (x, gamma, beta, dy, rm0, rv0) = (inputs.x, inputs.gamma, inputs.beta, inputs.dy, inputs.rm0, inputs.rv0)
        var y = [Float](repeating: .nan, count: n), mean = [Float](repeating: 0, count: channels), rstd = mean
        var rm = rm0, rv = rv0
        #expect(vg_batchnorm_forward_train(&y, &mean, &rstd, &rm, &rv, x, gamma, beta, B, C, S, 0.1, 1e-5) == VG_OK)
        var yRef = y, meanRef = mean, rstdRef = rstd, rmRef = rm0, rvRef = rv0
        vg_batchnorm_forward_train_ref(&yRef, &meanRef, &rstdRef, &rmRef, &rvRef, x, gamma, beta, B, C, S, 0.1, 1e-5)
        func worst(_ a: [Float], _ b: [Float]) -> Double {
            zip(a, b).map { KernelCheck.difference(Double($0), Double($1)) }.max() ?? 0
        }
        // y is γ·(x − μ)·rstd + β in float against double: a few ulps of |y| ≲ 10.
        #expect(worst(y, yRef) <= 4e-6, "y: \(worst(y, yRef))")
        #expect(worst(mean, meanRef) == 0 && worst(rstd, rstdRef) == 0, "saved statistics")
        #expect(worst(rm, rmRef) <= 1e-6 && worst(rv, rvRef) <= 1e-6, "running statistics")
        // Evaluation with the updated running statistics.
        var yEval = [Float](repeating: .nan, count: n)
        #expect(vg_batchnorm_forward_eval(&yEval, x, gamma, beta, rm, rv, B, C, S, 1e-5) == VG_OK)
        var evalError = 0.0
        for i in 0..<n {
            let c = (i / spatial) % channels
            let want = Double(gamma[c]) * (Double(x[i]) - Double(rm[c])) / (Double(rv[c]) + 1e-5).squareRoot() + Double(beta[c])
            evalError = max(evalError, abs(Double(yEval[i]) - want))
        }
        #expect(evalError <= 4e-6, "evaluation: \(evalError)")
        // Backward, accumulating into γ and β, dx with β 1.
        let dx0 = random.normal(n), dg0 = random.normal(channels), db0 = random.normal(channels)
        var dx = dx0, dg = dg0, db = db0, dxRef = dx0, dgRef = dg0, dbRef = db0
        #expect(vg_batchnorm_backward(&dx, &dg, &db, dy, x, mean, rstd, gamma, B, C, S, 1) == VG_OK)
        vg_batchnorm_backward_ref(&dxRef, &dgRef, &dbRef, dy, x, mean, rstd, gamma, B, C, S, 1)
        #expect(worst(dx, dxRef) <= 1e-5 && worst(dg, dgRef) <= 1e-5 && worst(db, dbRef) <= 1e-5,
                "backward: dx \(worst(dx, dxRef)) dγ \(worst(dg, dgRef)) dβ \(worst(db, dbRef))")
        KernelCheck.report("vg_batchnorm", "B\(batch) C\(channels) S\(spatial)", maxAbs: max(worst(y, yRef), worst(dx, dxRef)))
    }

    /// The passes this CPU runs (AVX2 or AVX-512 where it has them) against the same source
    /// built for baseline x86-64: the same bits, or the wider build reordered something. Run
    /// lengths leave every remainder of the four-lane sums (S = 196, 49, 6, 7: 0 to 3), and
    /// dense features (S = 1) come in one task of 300, a block of 256 and one of 44.
    @Test("Batch norm on this CPU's instruction set gives the baseline build's bits",
          arguments: [(3, 5, 7), (16, 300, 1), (16, 8, 49), (4, 3, 196), (5, 4, 6), (2, 2, 1)])
    func batchNormMatchesBaselineBuildBitwise(batch: Int, channels: Int, spatial: Int) {
        var random = KernelRandom(seed: UInt64(batch * 131 + channels * 17 + spatial))
        let inputs = BatchNormInputs(batch: batch, channels: channels, spatial: spatial, shift: 2, random: &random)
        let (n, B, C, S) = (inputs.n, inputs.B, inputs.C, inputs.S)
        let (x, gamma, beta, dy, rm0, rv0) = (inputs.x, inputs.gamma, inputs.beta, inputs.dy, inputs.rm0, inputs.rv0)
        func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

        var y = [Float](repeating: .nan, count: n), mean = [Float](repeating: 0, count: channels), rstd = mean
        var rm = rm0, rv = rv0
        var yBase = y, meanBase = mean, rstdBase = rstd, rmBase = rm0, rvBase = rv0
        #expect(vg_batchnorm_forward_train(&y, &mean, &rstd, &rm, &rv, x, gamma, beta, B, C, S, 0.1, 1e-5) == VG_OK)
        #expect(vg_batchnorm_forward_train_baseline(&yBase, &meanBase, &rstdBase, &rmBase, &rvBase, x, gamma, beta,
                                                    B, C, S, 0.1, 1e-5) == VG_OK)
        #expect(bits(y) == bits(yBase), "y")
        #expect(bits(mean) == bits(meanBase) && bits(rstd) == bits(rstdBase), "saved statistics")
        #expect(bits(rm) == bits(rmBase) && bits(rv) == bits(rvBase), "running statistics")

        var yEval = [Float](repeating: .nan, count: n), yEvalBase = yEval
        #expect(vg_batchnorm_forward_eval(&yEval, x, gamma, beta, rm, rv, B, C, S, 1e-5) == VG_OK)
        #expect(vg_batchnorm_forward_eval_baseline(&yEvalBase, x, gamma, beta, rm, rv, B, C, S, 1e-5) == VG_OK)
        #expect(bits(yEval) == bits(yEvalBase), "evaluation")

        for dxBeta: Float in [0, 0.5] {
            let dx0 = random.normal(n), dg0 = random.normal(channels), db0 = random.normal(channels)
            var dx = dx0, dg = dg0, db = db0, dxBase = dx0, dgBase = dg0, dbBase = db0
            #expect(vg_batchnorm_backward(&dx, &dg, &db, dy, x, mean, rstd, gamma, B, C, S, dxBeta) == VG_OK)
            #expect(vg_batchnorm_backward_baseline(&dxBase, &dgBase, &dbBase, dy, x, mean, rstd, gamma, B, C, S,
                                                   dxBeta) == VG_OK)
            #expect(bits(dx) == bits(dxBase) && bits(dg) == bits(dgBase) && bits(db) == bits(dbBase),
                    "backward, dx β \(dxBeta)")
        }
    }

    @Test("Batch norm refuses one value per channel in training, ε <= 0 and NULL buffers")
    func batchNormRejectsBadArguments() {
        var y = [Float](repeating: 0, count: 4), m = y, r = y
        let x = [Float](repeating: 1, count: 4)
        vg_error_clear()
        #expect(vg_batchnorm_forward_train(&y, &m, &r, nil, nil, x, nil, nil, 1, 4, 1, 0.1, 1e-5) == VG_ERROR_INVALID_ARGUMENT)
        #expect(String(cString: vg_last_error_message()).contains("more than one value per channel"))
        #expect(vg_batchnorm_forward_train(&y, &m, &r, nil, nil, x, nil, nil, 2, 2, 1, 0.1, 0) == VG_ERROR_INVALID_ARGUMENT)
        #expect(vg_batchnorm_forward_train(&y, nil, &r, nil, nil, x, nil, nil, 2, 2, 1, 0.1, 1e-5) == VG_ERROR_INVALID_ARGUMENT)
        #expect(vg_batchnorm_forward_eval(&y, x, nil, nil, nil, nil, 2, 2, 1, 1e-5) == VG_ERROR_INVALID_ARGUMENT)
    }
}

/// Floats on the heap, for values a gradient check perturbs while a closure reads them.
final class HeapFloats: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int
    init(_ values: [Float]) {
        count = values.count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(from: values, count: count)
    }
    deinit { pointer.deallocate() }
}
