// ArchitectureSpecTests: networks as values: JSON both ways, every shape inferred and checked,
// specs that do not fit refused with one clear message naming the layer and both shapes, and the
// built layers named and shaped as PyTorch's nn.Sequential of the same list would be.
import Testing
@testable import VAEGAN

struct ArchitectureSpecTests {
    /// The reference DCGAN's players (issue 15), written out.
    static let dcganDiscriminator = NetworkSpec(input: [1, 28, 28], layers: [
        .conv2d(channels: 64, kernel: 4, stride: 2, padding: 1, activation: .leakyReLU(slope: 0.2)),
        .conv2d(channels: 128, kernel: 4, stride: 2, padding: 1),
        .batchNorm(),
        .activation(.leakyReLU(slope: 0.2)),
        .flatten,
        .dense(width: 1),
    ])
    static let dcganGenerator = NetworkSpec(input: [64], layers: [
        .dense(width: 6272),
        .batchNorm(),
        .activation(.relu),
        .reshape([128, 7, 7]),
        .convTranspose2d(channels: 64, kernel: 4, stride: 2, padding: 1),
        .batchNorm(),
        .activation(.relu),
        .convTranspose2d(channels: 1, kernel: 4, stride: 2, padding: 1, activation: .sigmoid),
    ])

    @Test("Shapes are inferred layer by layer, as PyTorch computes them")
    func shapes() throws {
        #expect(try Self.dcganDiscriminator.shapes() == [[64, 14, 14], [128, 7, 7], [128, 7, 7], [128, 7, 7], [6272], [1]])
        #expect(try Self.dcganGenerator.shapes() == [[6272], [6272], [6272], [128, 7, 7], [64, 14, 14], [64, 14, 14],
                                                     [64, 14, 14], [1, 28, 28]])
    }

    @Test("JSON round trip: written, read back, equal; the written form is stable")
    func jsonRoundTrip() throws {
        for spec in [Self.dcganDiscriminator, Self.dcganGenerator,
                     NetworkSpec.mlp(input: 784, widths: [512, 256], hidden: .relu, output: .relu)] {
            #expect(try NetworkSpec(json: spec.json) == spec)
            #expect(try NetworkSpec(json: spec.compactJSON) == spec)
            #expect(try NetworkSpec(json: spec.json).json == spec.json)
        }
        let text = """
        {"input": [1, 28, 28], "layers": [
          {"type": "conv2d", "channels": 8, "kernel": 3, "padding": 1, "activation": "relu"},
          {"type": "conv_transpose2d", "channels": 2, "kernel": 4, "stride": 2, "padding": 1, "output_padding": 1, "bias": false},
          {"type": "batch_norm", "momentum": 0.2},
          {"type": "flatten"}]}
        """
        let spec = try NetworkSpec(json: text)
        #expect(spec.layers[0] == .conv2d(channels: 8, kernel: 3, stride: 1, padding: 1, activation: .relu))
        #expect(spec.layers[1] == .convTranspose2d(channels: 2, kernel: 4, stride: 2, padding: 1, outputPadding: 1, bias: false))
        #expect(spec.layers[2] == .batchNorm(momentum: 0.2, epsilon: 1e-5))
        #expect(try spec.outputShape() == [2 * 57 * 57])
    }

    @Test("Specs that do not fit get one clear message naming the layer (and both shapes)", arguments: [
        (#"{"input": [1, 28, 28], "layers": [{"type": "dense", "width": 10}]}"#, "layer 0 (dense) takes [features], not [1, 28, 28]"),
        (#"{"input": [784], "layers": [{"type": "conv2d", "channels": 4, "kernel": 3}]}"#, "layer 0 (conv2d) takes [channels, height, width], not [784]"),
        (#"{"input": [784], "layers": [{"type": "reshape", "shape": [3, 3]}]}"#, "layer 0 (reshape) from [784] (784 values) to [3, 3] (9 values)"),
        (#"{"input": [1, 4, 4], "layers": [{"type": "conv2d", "channels": 4, "kernel": 5}]}"#, "layer 0 (conv2d) on input [1, 4, 4]"),
        (#"{"input": [784], "layers": [{"type": "dense", "width": 0}]}"#, "layer 0 (dense): width must be positive, not 0"),
        (#"{"input": [784], "layers": [{"type": "dropout"}]}"#, "layer 0: unknown layer type \"dropout\""),
        (#"{"input": [784], "layers": [{"type": "dense", "widht": 10}]}"#, "layer 0 (dense): needs \"width\""),
        (#"{"input": [784], "layers": [{"type": "dense", "width": 10, "activaton": "relu"}]}"#, "layer 0 (dense): unknown key \"activaton\""),
        (#"{"input": [784], "layers": [{"type": "dense", "width": 10, "activation": "gelu"}]}"#, "unknown activation \"gelu\""),
        (#"{"input": [784], "layers": []}"#, "a network needs at least one layer"),
        (#"{"input": [784], "layers": [{"type": "flatten"}], "extra": 1}"#, "unknown key \"extra\""),
        (#"{"input": [784], "layers": [{"type": "flatten"}"#, "is not valid JSON"),
    ])
    func refusals(json: String, message: String) {
        do {
            let spec = try NetworkSpec(json: json)
            _ = try spec.build(name: "net", batchCapacity: 2, parameters: ParameterStore.Layout())
            Issue.record("accepted: \(json)")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
            #expect(!error.message.contains("\n"), "one line: \(error.message)")
        }
    }

    @Test("Built layers carry nn.Sequential's names and PyTorch's parameter shapes")
    func builtNames() throws {
        let (d, dStore) = try withStore(seed: 0) { layout throws(VAEGANError) in
            try Self.dcganDiscriminator.build(name: "discriminator", batchCapacity: 4, parameters: layout)
        }
        #expect(dStore.state.map(\.name) == ["discriminator.2.running_mean", "discriminator.2.running_var",
                                            "discriminator.2.num_batches_tracked"])
        #expect(d.parameters.map(\.name) == ["discriminator.0.weight", "discriminator.0.bias", "discriminator.1.weight",
                                             "discriminator.1.bias", "discriminator.2.weight", "discriminator.2.bias",
                                             "discriminator.5.weight", "discriminator.5.bias"])
        #expect(d.parameters.map(\.shape) == [[64, 1, 4, 4], [64], [128, 64, 4, 4], [128], [128], [128], [1, 6272], [1]])
        let (g, _) = try withStore(seed: 1) { layout throws(VAEGANError) in
            try Self.dcganGenerator.build(name: "generator", batchCapacity: 4, parameters: layout)
        }
        #expect(g.parameters.map(\.shape) == [[6272, 64], [6272], [6272], [6272], [128, 64, 4, 4], [64], [64], [64],
                                              [64, 1, 4, 4], [1]])
        #expect(g.inputWidth == 64 && g.outputWidth == 784 && d.inputWidth == 784 && d.outputWidth == 1)
        // And they run: a batch through G and then D.
        let z = Tensor.normal([4, 64], seed: 1)
        let logits = d.forward(g.forward(z.matrix))
        #expect(logits.rows == 4 && logits.columns == 1 && logits.values.allSatisfy { $0.isFinite })
    }

    @Test("An MLP spec builds today's MLP: the same names and, from the same seed, the same weights")
    func mlpMatchesSequentialMLP() throws {
        let (fromSpec, _) = try withStore(seed: 7) { layout throws(VAEGANError) in
            try NetworkSpec.mlp(input: 784, widths: [512, 256, 32], hidden: .relu, output: .identity)
                .build(name: "encoder", batchCapacity: 8, parameters: layout)
        }
        let (direct, _) = try withStore(seed: 7) { layout throws(VAEGANError) in
            try Sequential.mlp(name: "encoder", widths: [784, 512, 256, 32], hidden: .relu, output: .identity,
                               batchCapacity: 8, parameters: layout)
        }
        #expect(fromSpec.parameters.map(\.name) == direct.parameters.map(\.name))
        for (p, q) in zip(fromSpec.parameters, direct.parameters) {
            #expect(p.value.values == q.value.values, "\(p.name)")
        }
    }
}

struct ArchitecturePresetTests {
    /// Parameter counts of PyTorch's same modules (sum of p.numel() over the nn.Sequential).
    @Test("The conv presets have PyTorch's parameter counts and shapes, and fit together")
    func convPresets() throws {
        let layout = ParameterStore.Layout() // shapes only: no store is made
        let g = try NetworkSpec.dcganGenerator().build(name: "generator", batchCapacity: 2, parameters: layout)
        let d = try NetworkSpec.dcganDiscriminator().build(name: "discriminator", batchCapacity: 2, parameters: layout)
        let encoder = try NetworkSpec.convEncoderBody().build(name: "encoder", batchCapacity: 2, parameters: layout)
        let decoder = try NetworkSpec.convDecoder().build(name: "decoder", batchCapacity: 2, parameters: layout)
        #expect(g.parameters.scalarCount == 552_513)
        #expect(d.parameters.scalarCount == 138_817)
        #expect(encoder.parameters.scalarCount == 836_448)
        #expect(decoder.parameters.scalarCount == 847_713)
        // The presets are the layer lists written out independently above (issue 15's lists).
        #expect(NetworkSpec.dcganGenerator() == ArchitectureSpecTests.dcganGenerator)
        #expect(NetworkSpec.dcganDiscriminator() == ArchitectureSpecTests.dcganDiscriminator)
        #expect(try NetworkSpec.dcganGenerator().outputShape() == [1, 28, 28])
        #expect(try NetworkSpec.dcganDiscriminator().shapes()[3] == [128, 7, 7])  // Dis_l: 6272 features
        #expect(try NetworkSpec.convEncoderBody().outputShape() == [256])
        #expect(try NetworkSpec.convDecoder().outputShape() == [1, 28, 28])
        #expect(g.outputWidth == d.inputWidth && decoder.outputWidth == encoder.inputWidth)
    }
}
