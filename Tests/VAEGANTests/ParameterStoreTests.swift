// ParameterStoreTests: one buffer per model part. Parameters are 64-byte aligned views at the
// offsets their layout gave them; zeroing is one call; Adam and SGD over the whole store give
// the same bits as one call per tensor and leave the padding at zero; the models' parts are
// whole stores in their layers' order; non-trainable state round-trips through a checkpoint;
// running out of memory is a typed error, from a tensor, a store and a whole model.
import CVAEGAN
import Foundation
import Testing
@testable import VAEGAN

@Suite struct ParameterStoreTests {
    /// Three parameters whose sizes are not multiples of 16, with values and gradients drawn
    /// from `seed`.
    static func store(seed: UInt64 = 3) throws -> ParameterStore {
        let layout = ParameterStore.Layout()
        _ = layout.parameter("a.weight", shape: [7, 5])
        _ = layout.parameter("a.bias", shape: [7])
        _ = layout.parameter("b.weight", shape: [33])
        let store = try ParameterStore(layout)
        var rng = RandomGenerator(seed: seed)
        for p in store.parameters {
            rng.fillNormal(p.value.pointer, count: p.count)
            rng.fillNormal(p.gradient.pointer, count: p.count)
        }
        return store
    }

    @Test func parametersAreAlignedViewsAtTheirOffsets() throws {
        let store = try Self.store()
        #expect(store.parameters.map(\.offset) == [0, 48, 64])
        #expect(store.count == 48 + 16 + 48)
        #expect(store.scalarCount == 35 + 7 + 33)
        for p in store.parameters {
            #expect(p.store === store)
            #expect(p.value.pointer == store.values.pointer + p.offset)
            #expect(p.gradient.pointer == store.gradients.pointer + p.offset)
            #expect(Int(bitPattern: p.value.pointer) % 64 == 0 && Int(bitPattern: p.gradient.pointer) % 64 == 0)
            #expect(p.value.shape == p.shape && p.value.count == p.count)
        }
        store.zeroGradients()
        #expect(store.gradients.values.allSatisfy { $0 == 0 })
        #expect(store.parameters.allSatisfy { $0.value.values.contains { $0 != 0 } }, "values untouched")
    }

    /// The padding floats of `buffer` (those no parameter covers).
    static func padding(_ buffer: Tensor, of store: ParameterStore) -> [Float] {
        var covered = [Bool](repeating: false, count: store.count)
        for p in store.parameters { for i in p.offset..<(p.offset + p.count) { covered[i] = true } }
        return (0..<store.count).filter { !covered[$0] }.map { buffer.pointer[$0] }
    }

    @Test("Adam over the store gives the bits of one vg_adam_step per tensor", arguments: [false, true])
    func adamOverTheStoreMatchesPerTensorCalls(decoupled: Bool) throws {
        let store = try Self.store()
        let copies = store.parameters.map { (value: Tensor(shape: $0.shape, values: $0.value.values),
                                             gradient: Tensor(shape: $0.shape, values: $0.gradient.values),
                                             m: Tensor(shape: $0.shape), v: Tensor(shape: $0.shape)) }
        let optimizer: any Optimizer = decoupled
            ? try AdamW(store: store, learningRate: 0.01, beta1: 0.8, beta2: 0.95, epsilon: 1e-6, weightDecay: 0.1)
            : try Adam(store: store, learningRate: 0.01, beta1: 0.8, beta2: 0.95, epsilon: 1e-6, weightDecay: 0.1)
        for step in 1...3 {
            optimizer.step()
            for c in copies {
                vg_adam_step(c.value.pointer, c.m.pointer, c.v.pointer, c.gradient.pointer, Int64(c.value.count),
                             0.01, 0.8, 0.95, 1e-6, 0.1, decoupled, Int64(step))
            }
        }
        for (p, c) in zip(store.parameters, copies) {
            #expect(p.value.values.map(\.bitPattern) == c.value.values.map(\.bitPattern), "\(p.name)")
        }
        let moments = optimizer.stateTensors.map(\.tensor.values)
        #expect(moments == copies.flatMap { [$0.m.values, $0.v.values] })
        #expect(Self.padding(store.values, of: store).allSatisfy { $0 == 0 }, "padding stays zero")
    }

    @Test func sgdOverTheStoreMatchesPerTensorCalls() throws {
        let store = try Self.store()
        let copies = store.parameters.map { (value: Tensor(shape: $0.shape, values: $0.value.values),
                                             gradient: Tensor(shape: $0.shape, values: $0.gradient.values),
                                             velocity: Tensor(shape: $0.shape)) }
        let sgd = try SGD(store: store, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        for _ in 1...3 {
            sgd.step()
            for c in copies {
                vg_sgd_step(c.value.pointer, c.velocity.pointer, c.gradient.pointer, Int64(c.value.count), 0.1, 0.9, 0.01)
            }
        }
        for (p, c) in zip(store.parameters, copies) { #expect(p.value.values == c.value.values, "\(p.name)") }
        #expect(Self.padding(store.values, of: store).allSatisfy { $0 == 0 })
    }

    @Test("An optimizer takes one whole store, not part of one or pieces of two")
    func optimizersTakeWholeStores() throws {
        let store = try Self.store(), other = try Self.store(seed: 4)
        _ = try Adam(parameters: store.parameters.reversed()) // any order
        for wrong in [Array(store.parameters.dropLast()), store.parameters + [other.parameters[0]], []] {
            #expect(throws: VAEGANError.self) { _ = try Adam(parameters: wrong) }
            #expect(throws: VAEGANError.self) { _ = try SGD(parameters: wrong, learningRate: 0.1) }
        }
        let gan = try GAN(GANConfiguration(), batchCapacity: 4)
        #expect(throws: VAEGANError.self) {
            _ = try AlternatingOptimizer(gan: gan, discriminatorOptimizer: try Adam(store: gan.generatorStore),
                                         generatorOptimizer: try Adam(store: gan.discriminatorStore))
        }
    }

    @Test("Each model part is one store holding its layers' parameters in order")
    func modelsKeepEachPartInOneStore() throws {
        let vae = try VAE(VAEConfiguration(), batchCapacity: 2)
        #expect(vae.store.parameters.map(\.name) == (vae.encoder.parameters + vae.decoder.parameters).map(\.name))
        var gaussian = VAEConfiguration()
        gaussian.likelihood = .gaussian(sigma: 0.5, learned: true)
        let learned = try VAE(gaussian, batchCapacity: 2)
        #expect(learned.store.parameters.last?.name == "log_sigma")
        #expect(learned.logSigma?.value.values == [log(Float(0.5))])
        let gan = try GAN(GANConfiguration(), batchCapacity: 2)
        #expect(gan.generatorStore.parameters.map(\.name) == gan.generator.parameters.map(\.name))
        #expect(gan.discriminatorStore.parameters.map(\.name) == gan.discriminator.parameters.map(\.name))
        let model = try VAEGAN(VAEGANConfiguration(), batchCapacity: 2)
        #expect(model.encoderStore.parameters.map(\.name) == model.encoder.parameters.map(\.name))
        #expect(model.decoderStore.parameters.map(\.name) == model.decoder.parameters.map(\.name))
        #expect(model.discriminatorStore.parameters.map(\.name)
                == (model.discriminatorFeatures.parameters + model.discriminatorHead.parameters).map(\.name))
        for store in [vae.store, gan.generatorStore, gan.discriminatorStore, model.encoderStore,
                      model.decoderStore, model.discriminatorStore] {
            #expect(store.state.isEmpty && store.stateValues.count == 0, "no layer has non-trainable state yet")
        }
    }

    /// A store with one parameter and two state tensors (as a batch-norm layer will have).
    static func storeWithState() throws -> ParameterStore {
        let layout = ParameterStore.Layout()
        _ = layout.parameter("bn.weight", shape: [3])
        _ = layout.state("bn.running_mean", shape: [3])
        _ = layout.state("bn.running_var", shape: [3])
        return try ParameterStore(layout)
    }

    @Test("State tensors have their own buffer and round-trip through a checkpoint")
    func stateRoundTrips() throws {
        let store = try Self.storeWithState()
        #expect(store.state.map(\.offset) == [0, 16] && store.stateValues.count == 32 && store.count == 16)
        _ = store.parameters[0].value.buffer.update(fromContentsOf: [1, 2, 3] as [Float])
        _ = store.state[0].value.buffer.update(fromContentsOf: [0.5, -0.5, 0.25] as [Float])
        _ = store.state[1].value.buffer.update(fromContentsOf: [1.5, 2.5, 3.5] as [Float])
        let adam = try Adam(store: store)
        store.parameters[0].gradient.buffer.initialize(repeating: 1)
        adam.step()
        #expect(store.state[1].value.values == [1.5, 2.5, 3.5], "optimizers do not touch state")

        var file = SafeTensorsFile()
        file.store([store])
        #expect(Set(file.tensors.keys) == ["bn.weight", "bn.running_mean", "bn.running_var"])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vaegan-state-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try file.write(to: path)
        let loaded = try Self.storeWithState()
        try SafeTensorsFile.read(from: path).restore([loaded])
        #expect(loaded.parameters[0].value.values == store.parameters[0].value.values)
        #expect(loaded.state.map(\.value.values) == store.state.map(\.value.values))

        file.tensors["bn.running_var"] = StoredTensor(floats: [1, .nan, 1], shape: [3])
        #expect(throws: VAEGANError.self) { try file.restore([loaded]) }
        file.tensors["bn.running_var"] = nil
        #expect(throws: VAEGANError.self) { try file.restore([loaded]) }
    }

    // MARK: Out of memory

    /// 2⁴⁸ Floats, 1 PiB: more than the 128 TiB a Linux process on x86-64 can address, so the
    /// allocation fails whatever the machine's memory and overcommit policy (nothing is touched).
    static let unallocatable = [1 << 24, 1 << 24]

    @Test func tensorsThatCannotExistThrowOutOfMemory() {
        for shape in [Self.unallocatable, [Int.max / 2, 3]] {
            let error = #expect(throws: VAEGANError.self) { _ = try Tensor.zeros(shape) }
            guard case .outOfMemory(let message)? = error else {
                Issue.record("expected .outOfMemory, got \(String(describing: error))")
                continue
            }
            #expect(message.contains("\(shape)"))
        }
        let layout = ParameterStore.Layout()
        _ = layout.parameter("huge.weight", shape: Self.unallocatable)
        let error = #expect(throws: VAEGANError.self) { _ = try ParameterStore(layout) }
        #expect(error.map { if case .outOfMemory = $0 { true } else { false } } == true)
    }

    /// A β-VAE whose first weight is 2²³ × 2²³ Floats (256 TiB): its buffers for one row (about
    /// 300 MB, touched) exist, then the store fails, and the model says so instead of trapping.
    @Test func aModelTooLargeForMemoryThrowsOutOfMemory() {
        var c = VAEConfiguration()
        c.inputWidth = 1 << 23
        c.encoderWidths = [1 << 23]
        c.decoderWidths = []
        c.latentWidth = 2
        let error = #expect(throws: VAEGANError.self) { _ = try VAE(c, batchCapacity: 1) }
        #expect(error.map { if case .outOfMemory = $0 { true } else { false } } == true, "\(String(describing: error))")
    }
}
